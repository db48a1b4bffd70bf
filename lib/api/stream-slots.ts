import "server-only";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { processSingleton } from "@/lib/singleton";

// A live stream holds a connection, and re-reads its job every second, for as long as the
// job runs; so a process keeps at most SSE_MAX_PER_CLIENT open per client and SSE_MAX_STREAMS
// in all. Past them the answer is 429 and the client polls the job instead (the status page
// does so by itself). Each process counts its own connections: that is what a cap protects.

/** When a refused client may try a stream again; polling GET /api/itineraries/{id} may go on meanwhile. */
export const STREAM_RETRY_AFTER_SECONDS = 10;

interface OpenStreams {
  total: number;
  perClient: Map<string, number>;
}

const openStreams = () => processSingleton<OpenStreams>("open-event-streams", () => ({ total: 0, perClient: new Map() }));

const POLL_INSTEAD = "Poll GET /api/itineraries/{id} instead, or try again later.";

/**
 * Takes one of the process's stream slots for `clientKey` (a caller's limits bucket), or
 * throws 429 too_many_streams. Call the returned release when the stream ends; a second call
 * does nothing, so every way a stream can end may call it.
 */
export function takeStreamSlot(clientKey: string): () => void {
  const { SSE_MAX_PER_CLIENT: perClientCap, SSE_MAX_STREAMS: processCap } = env();
  const streams = openStreams();
  const mine = streams.perClient.get(clientKey) ?? 0;
  if (mine >= perClientCap) {
    throw new AppError(
      "too_many_streams",
      `This client already has ${perClientCap} live streams open, the most allowed. ${POLL_INSTEAD}`,
      undefined,
      STREAM_RETRY_AFTER_SECONDS,
    );
  }
  if (streams.total >= processCap) {
    throw new AppError("too_many_streams", `The server has all its live streams open. ${POLL_INSTEAD}`, undefined, STREAM_RETRY_AFTER_SECONDS);
  }
  streams.total += 1;
  streams.perClient.set(clientKey, mine + 1);

  let released = false;
  return () => {
    if (released) return;
    released = true;
    streams.total -= 1;
    const left = (streams.perClient.get(clientKey) ?? 1) - 1;
    if (left > 0) streams.perClient.set(clientKey, left);
    else streams.perClient.delete(clientKey);
  };
}
