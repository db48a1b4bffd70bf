import { createHmac, timingSafeEqual } from "node:crypto";

// Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
// `${id}.${timestamp}.${body}`, sent as `webhook-signature: v1,<base64>`. A "whsec_" secret
// is base64 and its decoded bytes are the key (the only form lib/env.ts accepts, as every
// Standard Webhooks library reads it); any other string is used as UTF-8 bytes.

export const SIGNATURE_VERSION = "v1";
/** How far a webhook's timestamp may be from the receiver's clock (replay protection). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export interface SignedContent {
  /** The `webhook-id` header. */
  id: string;
  /** The `webhook-timestamp` header: unix seconds. */
  timestamp: number;
  /** The raw request body, exactly as sent. */
  body: string;
}

export function webhookKey(secret: string): Buffer {
  const key = secret.startsWith("whsec_") ? Buffer.from(secret.slice(6), "base64") : Buffer.from(secret, "utf8");
  if (key.length === 0) throw new Error("The webhook secret is empty.");
  return key;
}

function digest(secret: string, { id, timestamp, body }: SignedContent): Buffer {
  return createHmac("sha256", webhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest();
}

/** The `webhook-signature` header value: `v1,<base64>`. */
export function signWebhook(secret: string, content: SignedContent): string {
  return `${SIGNATURE_VERSION},${digest(secret, content).toString("base64")}`;
}

/** The three Standard Webhooks headers for one delivery attempt. */
export function webhookHeaders(secret: string, content: SignedContent): Record<string, string> {
  return {
    "webhook-id": content.id,
    "webhook-timestamp": String(content.timestamp),
    "webhook-signature": signWebhook(secret, content),
  };
}

/**
 * Checks a delivery as a receiver would: the timestamp within the tolerance of `now` (either
 * way), and one of the space-separated `v1,<base64>` signatures matching, compared in
 * constant time.
 */
export function verifyWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  { now = new Date(), toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS }: { now?: Date; toleranceSeconds?: number } = {},
): boolean {
  if (!/^\d{1,12}$/.test(headers.timestamp)) return false;
  const timestamp = Number(headers.timestamp);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = digest(secret, { id: headers.id, timestamp, body });
  return headers.signature.split(" ").some((entry) => {
    const [version, encoded] = entry.split(",", 2);
    if (version !== SIGNATURE_VERSION || !encoded) return false;
    const candidate = Buffer.from(encoded, "base64");
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  });
}
