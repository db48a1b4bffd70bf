import { expireOldItineraries } from "@/lib/jobs/expiry";
import { inngest } from "../client";

/**
 * Deletes jobs older than JOB_RETENTION_DAYS, once a day (03:30 UTC, off the top of the
 * hour). One step: a run that fails is retried by Inngest, and anything a run leaves over
 * (more than its batch limit) goes the next day.
 */
export const expireOldItinerariesFunction = inngest.createFunction(
  {
    id: "expire-old-itineraries",
    name: "Expire old itineraries",
    triggers: [{ cron: "30 3 * * *" }],
    concurrency: { limit: 1 },
  },
  ({ step }) => step.run("delete-expired", () => expireOldItineraries()),
);
