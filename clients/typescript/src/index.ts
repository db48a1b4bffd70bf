import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, paths } from "./schema";

// A typed client for the Itinera JSON API: every path, parameter, body and answer is typed
// from the OpenAPI document (src/schema.ts is generated from it). Calls go through
// openapi-fetch, so each answer is `{ data, error, response }`: `data` on 2xx, `error` (the
// API's error envelope) otherwise.

export type { components, paths };
export type ItineraryRequest = components["schemas"]["ItineraryRequest"];
export type ItineraryResource = components["schemas"]["ItineraryResource"];
export type ItinerarySummary = components["schemas"]["ItinerarySummary"];
export type SubmitAnswer = components["schemas"]["SubmitAnswer"];
export type ErrorEnvelope = components["schemas"]["Error"];
export type Preview = components["schemas"]["Preview"];
export { watchItinerary, type WatchOptions } from "./watch";
export type ItineraClient = Client<paths>;

export interface ItineraClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** Where Itinera runs, e.g. "https://itinera.example.com" (no trailing /api). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>` when the server has API_KEYS. */
  apiKey?: string;
}

export function createItineraClient({ baseUrl, apiKey, ...options }: ItineraClientOptions): Client<paths> {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ""), ...options });
  if (apiKey) {
    client.use({
      onRequest({ request }) {
        request.headers.set("Authorization", `Bearer ${apiKey}`);
        return request;
      },
    });
  }
  return client;
}

const FINISHED = new Set<ItineraryResource["status"]>(["completed", "failed", "cancelled"]);

/**
 * Polls a job until it has finished (completed, failed or cancelled), waiting as long as
 * the server's Retry-After asks between reads. Rejects on an error answer or after
 * `timeoutMs`.
 */
export async function waitForItinerary(
  client: Client<paths>,
  id: string,
  { timeoutMs = 10 * 60_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ItineraryResource> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data, error, response } = await client.GET("/api/itineraries/{id}", { params: { path: { id } }, signal });
    if (error || !data) throw new Error(`Reading itinerary ${id} failed: ${error?.error.message ?? response.status}`);
    if (FINISHED.has(data.status)) return data;
    if (Date.now() >= deadline) throw new Error(`Itinerary ${id} was still ${data.status} after ${timeoutMs} ms.`);
    const seconds = Number(response.headers.get("retry-after") ?? 2);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0.2, Number.isFinite(seconds) ? seconds : 2) * 1000));
  }
}

export type ItineraryDay = ItineraryResource["days"][number];

/**
 * Polls a job until day `day` is no longer `revising`: after `POST …/days/{day}/revisions`
 * (202), the new revision has landed (`state` "ready", `revision` one higher) or failed
 * (`state` "failed", `error` says why; the plan is unchanged). Resolves with the job and
 * that day; check `day.state`. Waits as long as Retry-After asks (else `intervalMs`) between
 * reads. Rejects on an error answer, a job without that day, or after `timeoutMs`.
 */
export async function waitForDayRevision(
  client: Client<paths>,
  id: string,
  day: number,
  { timeoutMs = 5 * 60_000, intervalMs = 2_000, signal }: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<{ job: ItineraryResource; day: ItineraryDay }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data, error, response } = await client.GET("/api/itineraries/{id}", { params: { path: { id } }, signal });
    if (error || !data) throw new Error(`Reading itinerary ${id} failed: ${error?.error.message ?? response.status}`);
    const found = data.days.find((entry) => entry.day === day);
    if (!found) throw new Error(`Itinerary ${id} has no day ${day}.`);
    if (found.state !== "revising") return { job: data, day: found };
    if (Date.now() >= deadline) throw new Error(`Day ${day} of itinerary ${id} was still revising after ${timeoutMs} ms.`);
    const seconds = Number(response.headers.get("retry-after") ?? Number.NaN);
    const waitMs = Number.isFinite(seconds) ? Math.max(0.2, seconds) * 1000 : intervalMs;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
