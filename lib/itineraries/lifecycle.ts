import "server-only";
import { AppError } from "@/lib/errors";
import { dispatchItineraryRequested } from "@/lib/jobs/dispatch";
import { logger } from "@/lib/logger";
import type { ItineraryRow } from "@/lib/db/schema";
import {
  deleteItineraryRow,
  endItinerary,
  findItineraryById,
  reopenItinerary,
} from "./queries";
import { cancelItinerary, DISPATCH_FAILED_MESSAGE, requireItinerary } from "./service";

// Retry and delete: the verbs that act on a job after it was requested.

/**
 * Starts a failed or cancelled job again. Days already written and the outline are kept;
 * only what is missing is generated. 409 for a job that is processing or completed.
 */
export async function retryItinerary(id: string): Promise<ItineraryRow> {
  const { job } = await requireItinerary(id);
  if (!(await reopenItinerary({ id }))) {
    const status = (await findItineraryById({ id }))?.status ?? job.status;
    throw new AppError("conflict", `Only a failed or cancelled itinerary can be retried; this one is ${status}.`, {
      status,
    });
  }
  try {
    await dispatchItineraryRequested(id, `${id}:retry:${Date.now()}`);
  } catch (error) {
    logger("retry").error({ jobId: id, err: error }, "dispatch failed");
    await endItinerary({ id, status: "failed", error: DISPATCH_FAILED_MESSAGE });
    throw new AppError("dispatch_failed", DISPATCH_FAILED_MESSAGE, { jobId: id });
  }
  return (await findItineraryById({ id })) ?? job;
}

/**
 * Deletes a job with its days and steps; a running job is cancelled first. With API keys, a
 * job that belongs to another key is "not found" to this caller.
 */
export async function deleteItinerary(id: string, { ownerKey }: { ownerKey: string | null }): Promise<void> {
  const { job } = await requireItinerary(id);
  if (job.ownerKey && ownerKey !== null && job.ownerKey !== ownerKey) {
    throw new AppError("not_found", "No itinerary has this id.");
  }
  if (job.status === "processing") {
    await cancelItinerary(id).catch((error: unknown) => {
      // It may have ended on its own meanwhile; deleting is what was asked.
      if (!(error instanceof AppError && error.code === "conflict")) throw error;
    });
  }
  await deleteItineraryRow({ id });
}
