import { addUsage } from "@/lib/domain/trip";
import { finalizeItinerary, markItineraryFailed, planDay, planOutline, planOutlineDetails } from "./generate-steps";
import { runDirectly, type FailureContext, type Workflow, type WorkflowContext } from "./types";

export type GenerateItineraryData = { id: string };
export type GenerateItineraryContext = WorkflowContext<GenerateItineraryData>;

/**
 * The outline's skeleton, then every day and the outline's details in parallel, then
 * finalize. Written once, run by Inngest or by
 * the in-process runner. All side effects live inside step.run: code out here runs again
 * on every replay and only reads memoized step results.
 */
export async function generateItinerary({ event, step, announceEnded }: GenerateItineraryContext) {
  const { id } = event.data;
  const outline = await step.run("outline", () => planOutline(id));
  // A duplicate delivery or a job cancelled before it started: end quietly, change nothing.
  if (outline.endedAs) return { skipped: outline.endedAs };
  const [details, ...days] = await Promise.all([
    step.run("outline-details", () => planOutlineDetails(id)),
    ...outline.days.map((day) => step.run(`day-${day}`, () => planDay(id, day))),
  ]);
  const usage = days.reduce((total, day) => addUsage(total, day.usage), addUsage(outline.usage, details.usage));
  const finished = await step.run("finalize", () => finalizeItinerary(id, usage));
  // Its own step, so a failure to queue the webhook retries that alone, never the job.
  await step.run("notify", () => announceEnded(id, "completed"));
  return finished;
}

/**
 * Runs once a job has used up its attempts (or hit an error that is not worth retrying).
 * Only a job this marked failed announces it; with Inngest's step tools, a retry of the
 * failure handler does not lose the webhook once the row is marked.
 */
export async function onGenerateItineraryFailure({
  id,
  error,
  announceEnded,
  step = runDirectly,
}: Omit<FailureContext<GenerateItineraryData>, "data"> & { id: string }): Promise<boolean> {
  const failed = await step.run("mark-failed", () => markItineraryFailed(id, error));
  if (failed) await step.run("notify", () => announceEnded(id, "failed"));
  return failed;
}

export const generateItineraryWorkflow: Workflow<GenerateItineraryData> = {
  id: "generate-itinerary",
  handler: generateItinerary,
  onFailure: ({ data, ...rest }) => onGenerateItineraryFailure({ id: data.id, ...rest }),
};
