import type { components } from "./schema";

// Follows a job over its Server-Sent Events stream (GET /api/itineraries/{id}/events) with
// fetch, so it runs in Node as well as in browsers: every snapshot, every preview of what
// the model is writing, and a reconnection with Last-Event-ID when the stream drops or the
// server closes it before the job has finished.

type ItineraryResource = components["schemas"]["ItineraryResource"];
type Preview = components["schemas"]["Preview"];

export interface WatchOptions {
  /** Where Itinera runs, e.g. "https://itinera.example.com". */
  baseUrl: string;
  apiKey?: string;
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
  /** Each version of the job, the first as soon as the stream opens. */
  onSnapshot?: (job: ItineraryResource) => void;
  /** What the model has written so far of one part (`value: null`: withdrawn). */
  onPartial?: (preview: Preview) => void;
}

interface ServerEvent {
  event: string;
  data: string;
  id: string | null;
  retry: number | null;
}

/** Splits an event stream into its events (the text/event-stream format). */
async function* serverEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let current: ServerEvent = { event: "message", data: "", id: null, retry: null };
  let hasData = false;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (hasData || current.retry !== null) yield current;
        current = { event: "message", data: "", id: null, retry: null };
        hasData = false;
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") current.event = value;
      else if (field === "data") {
        current.data = hasData ? `${current.data}\n${value}` : value;
        hasData = true;
      } else if (field === "id") current.id = value;
      else if (field === "retry" && /^\d+$/.test(value)) current.retry = Number(value);
    }
  }
}

const FINISHED = new Set<ItineraryResource["status"]>(["completed", "failed", "cancelled"]);

/**
 * Watches job `id` until it has finished; resolves with its last snapshot, or null if it
 * was deleted. Rejects on an error answer (e.g. 429 too_many_streams: poll instead, with
 * waitForItinerary) or when `signal` aborts.
 */
export async function watchItinerary(id: string, options: WatchOptions): Promise<ItineraryResource | null> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const url = `${options.baseUrl.replace(/\/+$/, "")}/api/itineraries/${encodeURIComponent(id)}/events`;
  let lastEventId: string | null = null;
  let retryMs = 2000;
  let last: ItineraryResource | null = null;
  for (;;) {
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    if (options.apiKey) headers.Authorization = `Bearer ${options.apiKey}`;
    if (lastEventId) headers["Last-Event-ID"] = lastEventId;
    let dropped = false;
    try {
      const response = await fetchImpl(url, { headers, signal: options.signal });
      if (!response.ok || !response.body) {
        const envelope = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw Object.assign(new Error(envelope?.error?.message ?? `HTTP ${response.status}`), { status: response.status });
      }
      for await (const event of serverEvents(response.body)) {
        if (event.retry !== null) retryMs = event.retry;
        if (event.id !== null) lastEventId = event.id;
        if (event.event === "snapshot") {
          last = JSON.parse(event.data) as ItineraryResource;
          options.onSnapshot?.(last);
        } else if (event.event === "partial") {
          options.onPartial?.(JSON.parse(event.data) as Preview);
        } else if (event.event === "deleted") {
          return null;
        }
      }
    } catch (error) {
      // A dropped connection is retried; an error answer or an abort ends the watch.
      if (options.signal?.aborted || (error as { status?: number }).status !== undefined) throw error;
      dropped = true;
    }
    if (!dropped && last && FINISHED.has(last.status)) return last;
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}
