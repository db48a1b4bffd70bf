import "server-only";
import {
  failDayRevision,
  removeDayActivity,
  requestDayRevision,
  undoDayRevision,
  type Refusal,
} from "@/lib/db/queries/revisions";
import type { Owner } from "@/lib/domain/owner";
import { revisionRequestSchema } from "@/lib/domain/revision";
import { AppError } from "@/lib/errors";
import { dispatchDayRevisionRequested } from "@/lib/jobs/dispatch";
import { notifyItineraryChanged } from "@/lib/live/changes";
import { logger } from "@/lib/logger";
import { requireItinerary, requireJobId, type ItineraryWithDays } from "./reads";

// Changing a day of a finished trip: revise it in words (a durable job, lib/workflow/revise.ts),
// undo the last change, remove a stop. Only the job's owner may (lib/domain/owner.ts); to
// anyone else the job is "not found". Each answers with the job as it is after the change.

export const REVISION_DISPATCH_FAILED_MESSAGE =
  "We could not start changing this day because the job queue is unreachable. The day is as it was; please try again in a moment.";

function refusalError(refusal: Refusal, day: number): AppError {
  switch (refusal.refused) {
    case "not_found":
      return new AppError("not_found", "No itinerary has this id, or it has no such day.");
    case "not_completed":
      return new AppError("conflict", `Only a completed itinerary can be changed; this one is ${refusal.status}.`, {
        status: refusal.status,
      });
    case "revising":
      return new AppError("conflict", `Day ${day} is being changed already; wait until that change has landed.`);
    case "nothing_to_undo":
      return new AppError("conflict", `Day ${day} has no earlier version to go back to.`);
    case "no_such_activity":
      return new AppError("not_found", `Day ${day} has no such activity (or only that one, which a day cannot lose).`);
  }
}

/** Day numbers and activity indexes come from the path: whole numbers, or "not found". */
function requireWholeNumber(value: string | number, minimum: number): number {
  const parsed = typeof value === "number" ? value : /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < minimum) throw new AppError("not_found", "No itinerary has this id, or it has no such day.");
  return parsed;
}

export interface RevisionAccepted {
  found: ItineraryWithDays;
  revision: number;
}

/**
 * Asks for a new revision of day `day`, rewritten as `body.instruction` says. 202 material:
 * the day is `revising` until the revision lands (or fails). A repeat with the same
 * Idempotency-Key answers the same revision and starts nothing.
 */
export async function requestRevision(
  id: string,
  dayParam: string | number,
  body: unknown,
  { idempotencyKey, caller }: { idempotencyKey: string | null; caller: Owner },
): Promise<RevisionAccepted> {
  requireJobId(id);
  const day = requireWholeNumber(dayParam, 1);
  const parsed = revisionRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new AppError("validation_failed", "The revision request needs attention.", {
      fields: Object.fromEntries(parsed.error.issues.map((issue) => [issue.path.join(".") || "body", [issue.message]])),
    });
  }
  const outcome = await requestDayRevision({ id, day, instruction: parsed.data.instruction, idempotencyKey, changer: caller });
  if (outcome.refused) throw refusalError(outcome, day);
  if (!outcome.repeat) {
    notifyItineraryChanged(id);
    try {
      await dispatchDayRevisionRequested(id, day, outcome.revision);
    } catch (error) {
      logger("revisions").error({ jobId: id, day, err: error }, "dispatch failed");
      if (await failDayRevision({ id, day, revision: outcome.revision, error: REVISION_DISPATCH_FAILED_MESSAGE })) {
        notifyItineraryChanged(id);
      }
      throw new AppError("dispatch_failed", REVISION_DISPATCH_FAILED_MESSAGE, { jobId: id });
    }
  }
  return { found: await requireItinerary(id), revision: outcome.revision };
}

/** Puts the version day `day` was made from back on show. */
export async function undoRevision(id: string, dayParam: string | number, caller: Owner): Promise<ItineraryWithDays> {
  requireJobId(id);
  const day = requireWholeNumber(dayParam, 1);
  const outcome = await undoDayRevision({ id, day, changer: caller });
  if (outcome.refused) throw refusalError(outcome, day);
  notifyItineraryChanged(id);
  return requireItinerary(id);
}

/** Removes activity `index` (counting from 0) of day `day`, as a revision undo can reverse. */
export async function removeActivity(
  id: string,
  dayParam: string | number,
  indexParam: string | number,
  caller: Owner,
): Promise<ItineraryWithDays> {
  requireJobId(id);
  const day = requireWholeNumber(dayParam, 1);
  const index = requireWholeNumber(indexParam, 0);
  const outcome = await removeDayActivity({ id, day, index, changer: caller });
  if (outcome.refused) throw refusalError(outcome, day);
  notifyItineraryChanged(id);
  return requireItinerary(id);
}
