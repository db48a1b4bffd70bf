import "server-only";
import { findItineraryById } from "@/lib/db/queries/itineraries";
import type { ItineraryRow } from "@/lib/db/schema";
import { changeFeedIsLive, waitForItineraryChange } from "@/lib/live/changes";
import { JobNotActiveError } from "./generate-steps";

// A step whose job ends while it runs (cancelled, failed elsewhere, deleted) stops at once:
// its signal aborts, so an LLM call in flight is abandoned rather than paid for to the end.
// The local runner aborts its own runs on cancel; under Inngest, cancelOn stops only later
// steps, so the generation steps watch their job: woken by the change feed, and checking
// every couple of seconds when the feed cannot reach this process.

/** How often a running step looks at its job when no change can reach it by the feed. */
export const JOB_CHECK_INTERVAL_MS = 2_000;
/** With a live feed, changes arrive by themselves: look only now and then, to be safe. */
const LIVE_FEED_CHECK_INTERVAL_MS = 30_000;

/** Whether a step's work still matters to its job; by default, while the job is processing. */
export type JobActive = (job: ItineraryRow) => boolean;
const processing: JobActive = (job) => job.status === "processing";

/**
 * Runs `work` with a signal that aborts when job `jobId` stops being `active` (is deleted,
 * or by default stops processing); then throws JobNotActiveError (not retried) instead of
 * whatever the aborted work threw.
 */
export async function whileJobActive<T>(
  jobId: string,
  work: (signal: AbortSignal) => Promise<T>,
  active: JobActive = processing,
): Promise<T> {
  const abort = new AbortController();
  const finished = new AbortController();
  let endedAs: string | null = null;
  const watch = (async () => {
    while (!finished.signal.aborted) {
      const interval = changeFeedIsLive() ? LIVE_FEED_CHECK_INTERVAL_MS : JOB_CHECK_INTERVAL_MS;
      await waitForItineraryChange(jobId, interval, finished.signal);
      if (finished.signal.aborted) return;
      // A failed read says nothing about the job: look again at the next wake-up.
      const job = await findItineraryById({ id: jobId }).catch(() => undefined);
      if (job === undefined || (job !== null && active(job))) continue;
      endedAs = job?.status ?? "deleted";
      abort.abort(new JobNotActiveError(jobId, endedAs));
      return;
    }
  })();
  try {
    return await work(abort.signal);
  } catch (error) {
    if (endedAs) throw new JobNotActiveError(jobId, endedAs);
    throw error;
  } finally {
    finished.abort();
    await watch;
  }
}
