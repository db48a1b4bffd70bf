import { sweepStaleJobs } from "@/lib/jobs/sweeper";
import { inngest } from "../client";

/** Fails itineraries that stopped making progress, so none stays `processing` forever. */
export const sweepStaleItinerariesFunction = inngest.createFunction(
  {
    id: "sweep-stale-itineraries",
    name: "Sweep stale itineraries",
    triggers: [{ cron: "*/5 * * * *" }],
    concurrency: { limit: 1 },
  },
  ({ step }) => step.run("sweep", () => sweepStaleJobs({ runner: "inngest" })),
);
