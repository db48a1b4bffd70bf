import "server-only";
import http from "node:http";
import https from "node:https";
import { NonRetriableError, RetryAfterError } from "inngest";
import { parseCallbackUrl } from "@/lib/domain/callback-url";
import { logger } from "@/lib/logger";
import { PrivateAddressError, safeLookup } from "./safe-lookup";
import { webhookHeaders } from "./signature";
import { ipVersion, isPrivateAddress } from "./url-guard";

// One delivery attempt of a signed webhook: POST the body to the callback URL through the
// guarded DNS lookup, and read the answer as the runners need it. 2xx → delivered; 410 →
// the receiver is gone; 429/503 with Retry-After → RetryAfterError; anything else throws a
// WebhookDeliveryError, which the runner retries. Every retry carries the same webhook-id,
// so receivers can drop duplicates.

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

export interface SentWebhook {
  outcome: "delivered" | "gone";
  webhookId: string;
  httpStatus: number;
}

export interface OutgoingWebhook {
  /** The job it is about, for messages and logs. */
  jobId: string;
  webhookId: string;
  callbackUrl: string;
  body: string;
  secret: string;
  allowPrivate: boolean;
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

export async function sendWebhook({
  jobId,
  webhookId,
  callbackUrl,
  body,
  secret,
  allowPrivate,
}: OutgoingWebhook): Promise<SentWebhook> {
  const url = parseCallbackUrl(callbackUrl);
  if (!url) throw new NonRetriableError(`The callback URL of ${jobId} is not a valid http(s) URL.`);
  // IP literals never reach the lookup, so they are checked here; names are checked there.
  if (!allowPrivate && ipVersion(url.hostname) !== 0 && isPrivateAddress(url.hostname)) {
    throw new NonRetriableError(`The callback URL of ${jobId} points to a private address.`);
  }
  const headers = {
    "content-type": "application/json",
    "user-agent": "Itinera-Webhooks/1",
    ...webhookHeaders(secret, { id: webhookId, timestamp: Math.floor(Date.now() / 1000), body }),
  };

  let result: PostResult;
  try {
    result = await post(url, body, headers, allowPrivate);
  } catch (error) {
    if (error instanceof PrivateAddressError) throw new NonRetriableError(error.message);
    throw new WebhookDeliveryError(`Webhook ${webhookId} for ${jobId} could not be delivered: ${describe(error)}.`);
  }
  if (result.status >= 200 && result.status < 300) {
    return { outcome: "delivered", webhookId, httpStatus: result.status };
  }
  if (result.status === 410) {
    logger("webhooks").info({ jobId }, "the receiver answered 410 Gone; not retrying");
    return { outcome: "gone", webhookId, httpStatus: 410 };
  }
  const message = `Webhook ${webhookId} for ${jobId}: the receiver answered HTTP ${result.status}.`;
  const wait = result.status === 429 || result.status === 503 ? retryAfterMs(result.retryAfter) : null;
  if (wait !== null) throw new RetryAfterError(message, Math.max(1000, wait));
  throw new WebhookDeliveryError(message);
}
