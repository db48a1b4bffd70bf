import "server-only";
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { NonRetriableError, RetryAfterError } from "inngest";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import type { ItineraryRow } from "@/lib/db/schema";
import { findItineraryById, listDayRows } from "@/lib/itineraries/queries";
import { presentItinerary, type ItineraryResource } from "@/lib/itineraries/presenter";
import type { ItineraryStatus } from "@/lib/itineraries/schema";
import { PrivateAddressError, safeLookup } from "./safe-lookup";
import { webhookHeaders } from "./signature";
import { ipVersion, isPrivateAddress, parseCallbackUrl } from "./url-guard";

// One delivery attempt of the webhook announcing that a job ended. The runners retry it
// (Inngest with its backoff, the local runner with JOB_MAX_ATTEMPTS / JOB_RETRY_BASE_MS):
// every retry carries the same webhook-id, so receivers can drop duplicates.

export type EndedStatus = Exclude<ItineraryStatus, "processing">;
export type WebhookEventType = `itinerary.${EndedStatus}`;

export interface WebhookPayload {
  type: WebhookEventType;
  /** When the job ended (ISO 8601); the same on every retry. */
  timestamp: string;
  data: ItineraryResource;
}

export interface WebhookDeliveryResult {
  outcome: "delivered" | "gone" | "skipped";
  webhookId?: string;
  httpStatus?: number;
  reason?: string;
}

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** A receiver's Retry-After is honoured up to this long; beyond it, the usual backoff. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** A failed attempt worth retrying: an unexpected status, a timeout, a network error. */
export class WebhookDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookDeliveryError";
  }
}

/**
 * Stable per job and event type, so retries share it. The end time is part of it because a
 * job that is retried and ends the same way again is a new event, not a duplicate.
 */
export function webhookId(job: Pick<ItineraryRow, "id" | "completedAt">, status: EndedStatus): string {
  const ended = job.completedAt?.getTime() ?? 0;
  return `msg_${createHash("sha256").update(`${job.id}:${status}:${ended}`).digest("base64url").slice(0, 27)}`;
}

export async function buildWebhookPayload(job: ItineraryRow, status: EndedStatus): Promise<WebhookPayload> {
  const days = job.status === "completed" && job.itinerary ? [] : await listDayRows({ itineraryId: job.id });
  return {
    type: `itinerary.${status}`,
    timestamp: (job.completedAt ?? job.updatedAt).toISOString(),
    data: presentItinerary(job, days),
  };
}

function retryAfterMs(header: string | undefined): number | null {
  if (!header) return null;
  const ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? ms : null;
}

interface PostResult {
  status: number;
  retryAfter?: string;
}

/** POSTs without following redirects (node:http never does) through the guarded lookup. */
function post(url: URL, body: string, headers: Record<string, string>, allowPrivate: boolean): Promise<PostResult> {
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: safeLookup({ allowPrivate }),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        agent: false,
      },
      (response) => {
        response.resume(); // the receiver's body is not ours to read
        response.on("error", () => {});
        const retryAfter = response.headers["retry-after"];
        resolve({ status: response.statusCode ?? 0, retryAfter: typeof retryAfter === "string" ? retryAfter : undefined });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === "AbortError") return `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}

/**
 * Sends the webhook for a job that ended as `status`: 2xx → delivered; 410 → the receiver
 * is gone, give up quietly; anything else → throws so the runner retries. Nothing is sent
 * (outcome "skipped") when the job has no callback URL, was deleted, or has moved on to
 * another state (a retry started), or when the server has no signing secret any more.
 */
export async function deliverItineraryWebhook({
  id,
  status,
}: {
  id: string;
  status: EndedStatus;
}): Promise<WebhookDeliveryResult> {
  const job = await findItineraryById({ id });
  if (!job?.callbackUrl) return { outcome: "skipped", reason: job ? "no callback URL" : "job deleted" };
  if (job.status !== status) return { outcome: "skipped", reason: `job is now ${job.status}` };
  const { WEBHOOK_SECRET: secret, WEBHOOK_ALLOW_PRIVATE: allowPrivate } = env();
  if (!secret) {
    logger("webhooks").warn({ jobId: id }, "WEBHOOK_SECRET is unset: not sending an unsigned webhook");
    return { outcome: "skipped", reason: "no signing secret" };
  }
  const url = parseCallbackUrl(job.callbackUrl);
  if (!url) throw new NonRetriableError(`The callback URL of ${id} is not a valid http(s) URL.`);
  // IP literals never reach the lookup, so they are checked here; names are checked there.
  if (!allowPrivate && ipVersion(url.hostname) !== 0 && isPrivateAddress(url.hostname)) {
    throw new NonRetriableError(`The callback URL of ${id} points to a private address.`);
  }

  const webhook = webhookId(job, status);
  const body = JSON.stringify(await buildWebhookPayload(job, status));
  const headers = {
    "content-type": "application/json",
    "user-agent": "Itinera-Webhooks/1",
    ...webhookHeaders(secret, { id: webhook, timestamp: Math.floor(Date.now() / 1000), body }),
  };

  let result: PostResult;
  try {
    result = await post(url, body, headers, allowPrivate);
  } catch (error) {
    if (error instanceof PrivateAddressError) throw new NonRetriableError(error.message);
    throw new WebhookDeliveryError(`Webhook ${webhook} for ${id} could not be delivered: ${describe(error)}.`);
  }
  if (result.status >= 200 && result.status < 300) {
    return { outcome: "delivered", webhookId: webhook, httpStatus: result.status };
  }
  if (result.status === 410) {
    logger("webhooks").info({ jobId: id }, "the receiver answered 410 Gone; not retrying");
    return { outcome: "gone", webhookId: webhook, httpStatus: 410 };
  }
  const message = `Webhook ${webhook} for ${id}: the receiver answered HTTP ${result.status}.`;
  const wait = result.status === 429 || result.status === 503 ? retryAfterMs(result.retryAfter) : null;
  if (wait !== null) throw new RetryAfterError(message, Math.max(1000, wait));
  throw new WebhookDeliveryError(message);
}
