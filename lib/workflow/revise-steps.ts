import "server-only";
import { NonRetriableError } from "inngest";
import { findItineraryById } from "@/lib/db/queries/itineraries";
import { failDayRevision, landDayRevision } from "@/lib/db/queries/revisions";
import type { ItineraryRow } from "@/lib/db/schema";
import { dayStateOf } from "@/lib/domain/revision";
import type { TokenUsage } from "@/lib/domain/trip";
import { notifyItineraryChanged } from "@/lib/live/changes";
import { generateDayRevision } from "@/lib/llm/generate";
import { callModel, failureMessage, JobNotActiveError, requireCurrency } from "./generate-steps";
import { untilDatabaseAnswers } from "./outage";

// The body of a day revision's one model step, and its failure handler. Like the
// generation steps, each is safe to run again: a revision that has landed, was replaced or
// belongs to a deleted job is not asked of the model again.

/** True while revision `revision` of day `day` is still the one the job waits for. */
export const awaitsRevision = (day: number, revision: number) => (job: ItineraryRow) =>
  dayStateOf(job.dayStates, day).pending?.revision === revision;

export type ReviseStepResult = { landed: true; usage: TokenUsage } | { landed: false; reason: string };

export async function reviseDay(id: string, day: number, revision: number): Promise<ReviseStepResult> {
  const job = await findItineraryById({ id });
  if (!job) return { landed: false, reason: "deleted" };
  const state = dayStateOf(job.dayStates, day);
  if (state.revision === revision && state.state === "ready") return { landed: false, reason: "already landed" };
  if (!awaitsRevision(day, revision)(job) || !state.pending) return { landed: false, reason: "no longer asked for" };
  const { outline, itinerary } = job;
  if (!outline || !itinerary) throw new NonRetriableError(`Itinerary ${id} has no plan to revise.`);
  const { instruction } = state.pending;
  const {
    value: { value, usage },
    landed,
  } = await callModel(id, "day", day, async (onPartial) => {
    const answer = await generateDayRevision(job, outline, itinerary, day, instruction, onPartial);
    requireCurrency(answer.value, outline.currency);
    return answer;
  });
  const theme = value.theme || itinerary.find((plan) => plan.day === day)?.theme || `Day ${day}`;
  const saved = await untilDatabaseAnswers(() => landDayRevision({ id, day, revision, plan: { ...value, day, theme }, usage }));
  if (saved) notifyItineraryChanged(id);
  landed();
  if (!saved) throw new JobNotActiveError(id, "no longer waiting for this revision");
  return { landed: true, usage };
}

/**
 * Once a revision has used up its attempts: the day says it failed, and why, and keeps its
 * plan. False when there was nothing to mark (the job was deleted, or the revision replaced).
 */
export async function markRevisionFailed(id: string, day: number, revision: number, error: unknown): Promise<boolean> {
  if (error instanceof JobNotActiveError || (error instanceof Error && error.name === "JobNotActiveError")) return false;
  const message = failureMessage(error, `changing day ${day}`);
  const failed = await untilDatabaseAnswers(() => failDayRevision({ id, day, revision, error: message }));
  if (failed) notifyItineraryChanged(id);
  return failed;
}
