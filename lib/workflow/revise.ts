import { markRevisionFailed, reviseDay } from "./revise-steps";
import { runDirectly, type FailureContext, type Workflow, type WorkflowContext } from "./types";

export type ReviseDayData = { id: string; day: number; revision: number };
export type ReviseDayContext = WorkflowContext<ReviseDayData>;

/**
 * One revision of one day: a model call that rewrites the day as the traveller asked, then
 * the `itinerary.updated` webhook. Written once, run by Inngest or the local runner; the
 * event names the job, the day and the revision, which is also what makes a run unique.
 */
export async function reviseItineraryDay({ event, step, announceUpdated }: ReviseDayContext) {
  const { id, day, revision } = event.data;
  const result = await step.run("revise", () => reviseDay(id, day, revision));
  if (!result.landed) return { skipped: result.reason };
  if (announceUpdated) await step.run("notify", () => announceUpdated(id, day, revision, "landed"));
  return result;
}

/** The revision failed for good: the day says so and keeps its plan; the webhook tells. */
export async function onReviseItineraryDayFailure({
  data,
  error,
  announceUpdated,
  step = runDirectly,
}: FailureContext<ReviseDayData>): Promise<boolean> {
  const { id, day, revision } = data;
  const failed = await step.run("mark-failed", () => markRevisionFailed(id, day, revision, error));
  if (failed && announceUpdated) await step.run("notify", () => announceUpdated(id, day, revision, "failed"));
  return failed;
}

export const reviseItineraryDayWorkflow: Workflow<ReviseDayData> = {
  id: "revise-itinerary-day",
  handler: reviseItineraryDay,
  onFailure: onReviseItineraryDayFailure,
};
