import "server-only";
import { deleteItineraryRowReturning, endItinerary, reopenItinerary } from "@/lib/db/queries/itineraries";
import type { ItineraryRow } from "@/lib/db/schema";
import { mayChange, type Owner } from "@/lib/domain/owner";
import { anyDayRevising } from "@/lib/domain/revision";
import { AppError } from "@/lib/errors";
import { dispatchItineraryCancelled, dispatchItineraryRequested, notifyItineraryEnded } from "@/lib/jobs/dispatch";
import { notifyItineraryChanged } from "@/lib/live/changes";
import { logger } from "@/lib/logger";
import { requireItinerary, requireItineraryRow, requireJobId, type ItineraryWithDays } from "./reads";

// The verbs that act on a job after it was requested: cancel, retry, delete. Each needs the
// job's owner (lib/domain/owner.ts); to anyone else a job is "not found", as an unknown id
// is. Each writes first (conditionally, so a race or a stranger loses cleanly) and reads
// once: what it returns is what the route presents. Each announces its change to live
// watchers.

export const DISPATCH_FAILED_MESSAGE =
  "We could not start generating this itinerary because the job queue is unreachable. Please try again in a moment.";

/**
 * Hands a job to the runner; when that fails the job is marked failed (nothing is accepted
 * that will not run) and the caller gets a 503.
 */
export async function dispatchOrFail(id: string, dispatch: () => Promise<void>, command: string): Promise<void> {
  try {
    await dispatch();
  } catch (error) {
    logger(command).error({ jobId: id, err: error }, "dispatch failed");
    if (await endItinerary({ id, status: "failed", error: DISPATCH_FAILED_MESSAGE })) notifyItineraryChanged(id);
    throw new AppError("dispatch_failed", DISPATCH_FAILED_MESSAGE, { jobId: id });
  }
}

/** 409 for a command the job's current status does not allow. */
const conflict = (job: Pick<ItineraryRow, "status">, message: string) =>
  new AppError("conflict", message, { status: job.status });

const notFound = () => new AppError("not_found", "No itinerary has this id.");

/** The job, if `caller` may change it; "not found" otherwise. */
function requireChangeable<T extends Pick<ItineraryRow, "ownerKey">>(job: T, caller: Owner): T {
  if (!mayChange(job, caller)) throw notFound();
  return job;
}

/** Stops a processing job. 404 for an unknown id or another owner's job; 409 once it ended. */
export async function cancelItinerary(id: string, caller: Owner): Promise<ItineraryWithDays> {
  requireJobId(id);
  const cancelled = await endItinerary({ id, status: "cancelled", error: null, changer: caller });
  // Read after the write: the answer, and on a refusal, whether the job exists, is the
  // caller's and how it ended.
  const found = await requireItinerary(id);
  requireChangeable(found.job, caller);
  if (!cancelled) throw conflict(found.job, `This itinerary is already ${found.job.status}.`);
  notifyItineraryChanged(id);
  try {
    await dispatchItineraryCancelled(id);
  } catch (error) {
    // The row is cancelled either way; steps check it before writing, so nothing lands.
    logger("cancel").error({ jobId: id, err: error }, "could not notify the runner");
  }
  await notifyItineraryEnded(id, "cancelled", found.job);
  return found;
}

/**
 * Starts a failed or cancelled job again. Days already written and the outline are kept;
 * only what is missing is generated. 409 for a job that is processing or completed.
 */
export async function retryItinerary(id: string, caller: Owner): Promise<ItineraryWithDays> {
  requireJobId(id);
  if (!(await reopenItinerary({ id, changer: caller }))) {
    const job = requireChangeable(await requireItineraryRow(id), caller);
    throw conflict(job, `Only a failed or cancelled itinerary can be retried; this one is ${job.status}.`);
  }
  notifyItineraryChanged(id);
  await dispatchOrFail(id, () => dispatchItineraryRequested(id, `${id}:retry:${Date.now()}`), "retry");
  return requireItinerary(id);
}

/**
 * Deletes a job with its days and steps; what was running on it is stopped (its steps find
 * the row gone and write nothing): the generation of a processing job, the revisions of a
 * completed job's days being rewritten. Which, the deleted row says, so a revision asked
 * for while the job was read is stopped too.
 */
export async function deleteItinerary(id: string, caller: Owner): Promise<void> {
  requireChangeable(await requireItineraryRow(id), caller);
  const deleted = await deleteItineraryRowReturning({ id });
  if (!deleted) return;
  notifyItineraryChanged(id);
  if (deleted.status !== "processing" && !anyDayRevising(deleted.dayStates)) return;
  try {
    await dispatchItineraryCancelled(id);
  } catch (error) {
    logger("delete").error({ jobId: id, err: error }, "could not notify the runner");
  }
}
