import { env } from "@/lib/env";
import {
  finalizeItinerary,
  markItineraryFailed,
  planDay,
  planOutline,
} from "@/lib/itineraries/pipeline";
import { addUsage } from "@/lib/itineraries/schema";
import { dispatchItineraryEnded } from "@/lib/jobs/dispatch";
import type { JobHandler, StepRunner } from "@/lib/jobs/local-runner";
import { withStepContext } from "@/lib/jobs/step-context";
import { inngest, STEP_RETRIES } from "../client";
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
  const finished = await step.run("finalize", () => finalizeItinerary(id, usage));
  // Its own step, so a failure to queue the webhook retries that alone, never the job.
  await step.run("notify", () => dispatchItineraryEnded(id, "completed"));
  return finished;
}

/** The local runner calls the failure handler outside any step: run the parts directly. */
const directly: StepRunner = { run: (_id, fn) => fn() };

/**
 * Runs once a job has used up its attempts (or hit an error that is not worth retrying).
 * Only a job this marked failed announces it; with Inngest's step tools, a retry of the
 * failure handler does not lose the webhook once the row is marked.
 */
export async function onGenerateItineraryFailure({
  id,
  error,
  step = directly,
}: {
  id: string;
  error: unknown;
  step?: StepRunner;
}): Promise<boolean> {
  const failed = await step.run("mark-failed", () => markItineraryFailed(id, error));
  if (failed) await step.run("notify", () => dispatchItineraryEnded(id, "failed"));
  return failed;
}

export const generateItineraryFunction = inngest.createFunction(
  {
    id: "generate-itinerary",
    name: "Generate itinerary",
    triggers: [itineraryRequested],
    retries: STEP_RETRIES,
    idempotency: "event.data.runKey",
    concurrency: { limit: env().LLM_CONCURRENCY },
    cancelOn: [{ event: itineraryCancelled, match: "data.id" }],
    onFailure: ({ event, error, step }) =>
      onGenerateItineraryFailure({ id: event.data.event.data.id, error, step: step as StepRunner | undefined }),
  },
  // Each step body learns its job, step and attempt, for the LLM call log.
  ({ event, step, attempt }) =>
    generateItinerary({ event, step: withStepContext(step as StepRunner, event.data.id, attempt) }),
);
