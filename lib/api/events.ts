import "server-only";
import { findItineraryById } from "@/lib/db/queries/itineraries";
import type { ItineraryRow } from "@/lib/db/schema";
import { presentItinerary } from "@/lib/domain/presenter";
import { anyDayRevising } from "@/lib/domain/revision";
import { getItinerary } from "@/lib/itineraries/reads";
import { followJobElsewhere } from "@/lib/jobs/live-relay";
import { changeFeedIsLive, onItineraryChange, waitForItineraryChange } from "@/lib/live/changes";
import { followPreviews } from "@/lib/live/previews";
import { logger } from "@/lib/logger";

// Server-Sent Events for one job: a `snapshot` event (the job resource) on every change,
// with `id:` so a reconnecting client's Last-Event-ID skips what it has, a `retry:` hint,
// heartbeat comments, and the end of the stream once the job is finished and no day of it
// is being changed (a day's revision is written like a day, previews and all). It reads our own
// rows, so it works the same whichever runner does the work. While the job runs, `partial`
// events carry previews of what the model is writing (lib/live/previews.ts); they have no
// `id:`, so Last-Event-ID keeps naming the last snapshot and a resumed stream loses nothing
// durable.

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

const RETRY_MS = 2000;
const HEARTBEAT_MS = 15_000;
/**
 * Without a live change feed (a PostgreSQL whose LISTEN connection is not up yet), re-read
 * this often; with one, a stream that hears of no change reads nothing.
 */
const RECHECK_MS = 1000;
/** Close after a while (serverless limits); EventSource reconnects with Last-Event-ID. */
const MAX_STREAM_MS = 4 * 60_000;

export const eventIdOf = (job: ItineraryRow) => String(job.updatedAt.getTime());

/**
 * Reads in flight, by what they read and of which job. One change wakes every stream of
 * its job at the same moment; they share one read instead of making one each (a thousand
 * watchers would queue two thousand statements, and on the embedded database hold the
 * event loop until the last had run). A read is shared only until the job's next change is
 * announced: a read begun before that may not show it, so a stream asking after it starts
 * a read of its own. (The announcement forgets the read at once, before any stream it
 * wakes can ask.)
 */
const readsInFlight = new Map<string, Promise<unknown>>();

function sharedRead<T>(kind: "row" | "snapshot", id: string, read: () => Promise<T>): Promise<T> {
  const key = `${kind}:${id}`;
  const current = readsInFlight.get(key) as Promise<T> | undefined;
  if (current) return current;
  // Listening before the read begins, so that no change announced after it is missed.
  const stopListening = onItineraryChange(id, () => forget());
  const shared = read().finally(() => forget());
  function forget() {
    stopListening();
    if (readsInFlight.get(key) === shared) readsInFlight.delete(key);
  }
  readsInFlight.set(key, shared);
  return shared;
}

/** The job, and its snapshot event's data: the job resource with its days, as JSON. */
async function readSnapshot(id: string): Promise<{ job: ItineraryRow; data: string } | null> {
  const found = await getItinerary(id);
  if (!found) return null;
  return { job: found.job, data: JSON.stringify(presentItinerary(found.job, found.days)) };
}

/**
 * The stream of one job. `onClose` runs once, as soon as the stream ends: the job finished,
 * the time ran out, or the client went away (the request's signal, or the body cancelled).
 */
export function itineraryEventStream(
  first: ItineraryRow,
  { lastEventId, signal, onClose }: { lastEventId: string | null; signal: AbortSignal; onClose?: () => void },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const { id } = first;
  const stop = new AbortController();
  let closed = false;
  const end = () => {
    stop.abort();
    if (closed) return;
    closed = true;
    onClose?.();
  };
  if (signal.aborted) stop.abort();
  else signal.addEventListener("abort", end, { once: true });

  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => controller.enqueue(encoder.encode(text));
      const started = Date.now();
      let lastWrite = Date.now();
      let sent = lastEventId;
      let job: ItineraryRow | null = first;
      let stopPreviews: (() => void) | null = null;
      // On the Inngest runner, changes published through Inngest Realtime wake this stream too.
      let stopFollowing: (() => void) | null = null;
      try {
        write(`retry: ${RETRY_MS}\n\n`);
        while (job && !stop.signal.aborted && Date.now() - started < MAX_STREAM_MS) {
          if (eventIdOf(job) !== sent) {
            // Changed: read it with its days through the one loader (the row may have moved on).
            const snapshot = await sharedRead("snapshot", id, () => readSnapshot(id));
            if (!snapshot) {
              write(`event: deleted\ndata: {}\n\n`);
              break;
            }
            job = snapshot.job;
            sent = eventIdOf(job);
            write(`event: snapshot\nid: ${sent}\ndata: ${snapshot.data}\n\n`);
            lastWrite = Date.now();
          }
          if (job.status !== "processing" && !anyDayRevising(job.dayStates)) break;
          // After the first snapshot, so a client always has the job to lay previews over.
          stopPreviews ??= followPreviews(job.id, (preview) => {
            if (stop.signal.aborted) return;
            try {
              write(`event: partial\ndata: ${JSON.stringify(preview)}\n\n`);
              lastWrite = Date.now();
            } catch {
              // The client went away between two checks; the stream's end cleans up.
            }
          });
          stopFollowing ??= followJobElsewhere(job.id);
          const live = changeFeedIsLive();
          const changed = await waitForItineraryChange(job.id, live ? HEARTBEAT_MS - (Date.now() - lastWrite) : RECHECK_MS, stop.signal);
          if (Date.now() - lastWrite >= HEARTBEAT_MS) {
            write(`: heartbeat\n\n`);
            lastWrite = Date.now();
          }
          if (!changed && live) continue;
          job = await sharedRead("row", id, () => findItineraryById({ id }));
          if (!job) write(`event: deleted\ndata: {}\n\n`);
        }
      } catch (error) {
        if (!stop.signal.aborted) {
          logger("events").error({ err: error }, "stream failed");
          write(`event: error\ndata: ${JSON.stringify({ message: "The live update stream failed; reconnecting." })}\n\n`);
        }
      } finally {
        stopPreviews?.();
        stopFollowing?.();
        try {
          controller.close();
        } catch {
          // Already closed by the client.
        }
        end();
      }
    },
    cancel() {
      end();
    },
  });
}
