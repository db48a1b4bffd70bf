import "server-only";
import { followRealtime, inngestLiveRelay, itinerarySubscriptionToken, type RealtimeToken } from "@/inngest/realtime";
import { jobRunnerKind } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { setLiveRelay } from "@/lib/live/changes";
import { logger } from "@/lib/logger";

// Live updates on the Inngest runner also travel through Inngest Realtime (inngest/realtime.ts):
// the steps run wherever Inngest calls /api/inngest, which need not share a database
// connection (or a process) with the servers holding the live streams and the browsers.
//
// Installed here, in the runner seam, because every process that changes jobs loads this
// module: the serve route's functions (through lib/jobs/dispatch.ts, which they announce
// endings with), the commands (cancel, retry, delete: dispatch too), and the server at
// start-up. lib/live cannot install it itself (it may not import inngest/), and the
// functions alone would miss a cancel or delete made through the API.

let installed = false;

/** Sends every change and preview to Inngest Realtime too, on the Inngest runner (once per module). */
export function installLiveRelay(): void {
  if (installed || jobRunnerKind() !== "inngest") return;
  installed = true;
  setLiveRelay(inngestLiveRelay);
}

/**
 * While a live stream of job `id` is open, hears the job's changes and previews published
 * elsewhere through Inngest Realtime (one subscription per job per process, shared).
 * Returns the function that lets go; on the local runner there is nothing to follow.
 */
export function followJobElsewhere(id: string): () => void {
  if (jobRunnerKind() !== "inngest") return () => undefined;
  return followRealtime(id);
}

export const REALTIME_UNAVAILABLE_MESSAGE =
  "This server runs its jobs on the local runner, which has no Inngest Realtime: follow GET /api/itineraries/{id}/events instead.";

/** A subscription token for job `id`'s realtime channel: 409 on the local runner, 503 when Inngest does not answer. */
export async function realtimeTokenFor(id: string): Promise<RealtimeToken> {
  if (jobRunnerKind() !== "inngest") throw new AppError("conflict", REALTIME_UNAVAILABLE_MESSAGE, { runner: "local" });
  try {
    return await itinerarySubscriptionToken(id);
  } catch (error) {
    logger("realtime").warn({ err: error, jobId: id }, "could not get a realtime subscription token");
    throw new AppError(
      "dispatch_failed",
      "Inngest did not hand out a realtime token; follow GET /api/itineraries/{id}/events meanwhile.",
      undefined,
      5,
    );
  }
}
