import { env } from "@/lib/env";
import {
  finalizeItinerary,
  markItineraryFailed,
  planDay,
  planOutline,
} from "@/lib/itineraries/pipeline";
import { addUsage } from "@/lib/itineraries/schema";
import type { JobHandler, StepRunner } from "@/lib/jobs/local-runner";
import { inngest } from "../client";
import { itineraryCancelled, itineraryRequested } from "../events";

export type GenerateItineraryContext = Parameters<JobHandler>[0];

/**
 * Outline, then every day in parallel, then finalize. Written once, run by Inngest or by
 * the in-process runner. All side effects live inside step.run: code out here runs again
 * on every replay and only reads memoized step results.
 */
export async function generateItinerary({ event, step }: GenerateItineraryContext) {
  const { id } = event.data;
  const outline = await step.run("outline", () => planOutline(id));
  // A duplicate delivery or a job cancelled before it started: end quietly, change nothing.
  if (outline.endedAs) return { skipped: outline.endedAs };
  const days = await Promise.all(
    outline.days.map((day) => step.run(`day-${day}`, () => planDay(id, day))),
  );
  const usage = days.reduce((total, day) => addUsage(total, day.usage), outline.usage);
  return step.run("finalize", () => finalizeItinerary(id, usage));
}

/** Runs once a job has used up its attempts (or hit an error that is not worth retrying). */
export function onGenerateItineraryFailure({ id, error }: { id: string; error: unknown }) {
  return markItineraryFailed(id, error);
}

const attempts = env().JOB_MAX_ATTEMPTS;

export const generateItineraryFunction = inngest.createFunction(
  {
    id: "generate-itinerary",
    name: "Generate itinerary",
    triggers: [itineraryRequested],
    // Inngest counts retries after the first attempt.
    retries: Math.min(20, Math.max(0, attempts - 1)) as 4,
    idempotency: "event.data.runKey",
    concurrency: { limit: env().LLM_CONCURRENCY },
    cancelOn: [{ event: itineraryCancelled, match: "data.id" }],
    onFailure: ({ event, error }) =>
      onGenerateItineraryFailure({ id: event.data.event.data.id, error }),
  },
  ({ event, step }) => generateItinerary({ event, step: step as StepRunner }),
);
