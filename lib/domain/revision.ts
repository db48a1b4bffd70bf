import { z } from "zod";
import { minutesOf, type DayPlan } from "./plan";
import { travelBetween } from "./travel";

// Days of a finished trip change: revised in words by the model, a stop removed by hand,
// stepped back with undo. Each change that lands is a new revision of that day (the plan
// the trip was written with is revision 1); revisions are kept, each knowing the one it was
// made from, so undo goes back one step at a time. While the model rewrites a day, the day
// is "revising" and keeps its current plan; a revision that fails leaves the day "failed"
// with the reason, still on its current plan.

export const DAY_STATES = ["ready", "revising", "failed"] as const;
export type DayState = (typeof DAY_STATES)[number];

export const MAX_INSTRUCTION_LENGTH = 500;

/** What the traveller asked of a revision: plain text (no control characters), 1–500 characters. */
export const instructionSchema = z
  .string({ error: "Say how to change the day." })
  .transform((value) => value.replace(/\r\n?/g, "\n").trim())
  .pipe(
    z
      .string()
      .min(1, "Say how to change the day.")
      .max(MAX_INSTRUCTION_LENGTH, `Keep it to ${MAX_INSTRUCTION_LENGTH} characters.`)
      // Control characters (line breaks and tabs allowed) have no place in a request.
      .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, "Use plain text."),
  );

export const revisionRequestSchema = z
  .object({
    instruction: instructionSchema.describe('How to change the day, in words: "more relaxed", "swap the museum for a food market"'),
  })
  .strict()
  .meta({ id: "RevisionRequest" });

/** A revision asked for and not yet landed (or failed). */
export interface PendingRevision {
  revision: number;
  instruction: string;
  idempotencyKey: string | null;
}

/** Where one day stands, as the job row keeps it. */
export interface DayRevisionState {
  /** The revision on show. */
  revision: number;
  /** The highest revision number given out: the next one is this + 1. */
  latest: number;
  state: DayState;
  /** Why the last revision failed (state "failed"), for people. */
  error: string | null;
  pending: PendingRevision | null;
}

/** By day number ("1", "2", …); a day without an entry has never been changed. */
export type DayRevisionStates = Record<string, DayRevisionState>;

export const UNCHANGED_DAY: DayRevisionState = { revision: 1, latest: 1, state: "ready", error: null, pending: null };

export function dayStateOf(states: DayRevisionStates | null | undefined, day: number): DayRevisionState {
  return states?.[String(day)] ?? UNCHANGED_DAY;
}

/** True while any day of the job is being rewritten. */
export const anyDayRevising = (states: DayRevisionStates | null | undefined): boolean =>
  Object.values(states ?? {}).some((entry) => entry.state === "revising");

/**
 * The day without its activity at `index`, with the timeline mended: the stop after it now
 * comes from the stop before it, by the way the places suggest (their coordinates, when
 * both are known), never longer than the time between them; the first stop has no travel.
 */
export function withoutActivity(plan: DayPlan, index: number): DayPlan {
  const activities = plan.activities.filter((_, position) => position !== index);
  const mended = activities.map((activity, position) => {
    if (position === 0) return { ...activity, travelFromPrevious: null };
    if (position !== index) return activity;
    const previous = activities[position - 1]!;
    const gap = minutesOf(activity.startTime) - (minutesOf(previous.startTime) + previous.durationMinutes);
    const bothPlaced = previous.location && activity.location;
    const estimate = bothPlaced ? travelBetween(previous.location, activity.location) : activity.travelFromPrevious;
    if (!estimate) return { ...activity, travelFromPrevious: null };
    return { ...activity, travelFromPrevious: { ...estimate, minutes: Math.max(0, Math.min(estimate.minutes, gap)) } };
  });
  return { ...plan, activities: mended };
}
