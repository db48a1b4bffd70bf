import { createHash, createHmac } from "node:crypto";

// Inngest's request signing, written out from how its SDK verifies requests (the SDK does
// not export its signer): an HMAC-SHA256 keyed by the signing key without its
// "signkey-<env>-" prefix, over the body followed by the Unix time in seconds, sent as
// `X-Inngest-Signature: t=<time>&s=<hex>`. A JSON body is signed in canonical form
// (RFC 8785: keys sorted, no spaces), since the SDK parses the body before it checks it.
// The SDK signs its responses the same way, which lets a test check this helper against it.

/** JSON with object keys sorted at every level (RFC 8785 for the values tests use). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The hex HMAC of `body` (a string as it is, anything else as canonical JSON) at `seconds`. */
export function inngestSignature(body: unknown, signingKey: string, seconds: number): string {
  const data = typeof body === "string" ? body : canonicalJson(body);
  return createHmac("sha256", signingKey.replace(/^signkey-\w+-/, ""))
    .update(data)
    .update(String(seconds))
    .digest("hex");
}

/** The X-Inngest-Signature header Inngest would send with `body`. */
export function signInngestRequest(body: unknown, signingKey: string, at: number = Date.now()): string {
  const seconds = Math.floor(at / 1000);
  return `t=${seconds}&s=${inngestSignature(body, signingKey, seconds)}`;
}

/**
 * The bearer token an SDK sends to the Inngest API (SDK spec §4.1.4): the key's prefix,
 * then the hex SHA-256 of the hex-decoded key that follows it.
 */
export function hashedSigningKey(signingKey: string): string {
  const prefix = /^signkey-\w+-/.exec(signingKey)?.[0] ?? "";
  return `${prefix}${createHash("sha256").update(signingKey.slice(prefix.length), "hex").digest("hex")}`;
}

/** True when `header` (an X-Inngest-Signature) signs `body` with `signingKey` within five minutes of now. */
export function verifyInngestSignature(header: string | null, body: string, signingKey: string, now: number = Date.now()): boolean {
  if (!header) return false;
  const params = new URLSearchParams(header);
  const seconds = Number(params.get("t"));
  if (!Number.isInteger(seconds) || Math.abs(now / 1000 - seconds) > 5 * 60) return false;
  return params.get("s") === inngestSignature(body, signingKey, seconds);
}
