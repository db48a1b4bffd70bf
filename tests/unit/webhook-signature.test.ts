import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook, webhookHeaders, webhookKey } from "@/lib/webhooks/signature";

// Receivers verify our webhooks with their own Standard Webhooks library, so what matters is
// that our signatures are exactly the specification's, not merely self-consistent.

const SECRET = `whsec_${randomBytes(24).toString("base64")}`;
const NOW = new Date("2027-03-01T12:00:00Z");
const nowSeconds = Math.floor(NOW.getTime() / 1000);

function signed(body = '{"type":"itinerary.completed"}', timestamp = nowSeconds, id = "msg_2b7f") {
  const headers = webhookHeaders(SECRET, { id, timestamp, body });
  return {
    body,
    headers: {
      id: headers["webhook-id"]!,
      timestamp: headers["webhook-timestamp"]!,
      signature: headers["webhook-signature"]!,
    },
  };
}

describe("webhook signatures", () => {
  it("reproduces the Standard Webhooks reference test vector", () => {
    const signature = signWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", {
      id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
    });
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("sends the header as v1,<base64 of an HMAC-SHA256 over id.timestamp.body>", () => {
    const { body, headers } = signed();
    expect(headers.signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key).update(`${headers.id}.${headers.timestamp}.${body}`).digest("base64");
    expect(headers.signature).toBe(`v1,${expected}`);
    expect(headers.timestamp).toBe(String(nowSeconds));
  });

  it("round-trips: what we sign, a receiver with the same secret accepts", () => {
    const { body, headers } = signed();
    expect(verifyWebhook(SECRET, headers, body, { now: NOW })).toBe(true);
  });

  it("rejects a tampered body, timestamp or id, and another secret", () => {
    const { body, headers } = signed();
    expect(verifyWebhook(SECRET, headers, body.replace("completed", "failed"), { now: NOW })).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, timestamp: String(nowSeconds + 1) }, body, { now: NOW })).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, id: "msg_other" }, body, { now: NOW })).toBe(false);
    expect(verifyWebhook(`whsec_${randomBytes(24).toString("base64")}`, headers, body, { now: NOW })).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, signature: "v1,AAAA" }, body, { now: NOW })).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, signature: headers.signature.replace("v1,", "v2,") }, body, { now: NOW })).toBe(false);
  });

  it("rejects a timestamp more than five minutes away, either way; accepts one within", () => {
    const old = signed(undefined, nowSeconds - 301);
    expect(verifyWebhook(SECRET, old.headers, old.body, { now: NOW })).toBe(false);
    const future = signed(undefined, nowSeconds + 301);
    expect(verifyWebhook(SECRET, future.headers, future.body, { now: NOW })).toBe(false);
    const recent = signed(undefined, nowSeconds - 299);
    expect(verifyWebhook(SECRET, recent.headers, recent.body, { now: NOW })).toBe(true);
    const junk = signed();
    expect(verifyWebhook(SECRET, { ...junk.headers, timestamp: "1e9" }, junk.body, { now: NOW })).toBe(false);
  });

  it("accepts a list of signatures when one of them matches (secret rotation)", () => {
    const { body, headers } = signed();
    const list = { ...headers, signature: `v1,bm9wZQ== ${headers.signature}` };
    expect(verifyWebhook(SECRET, list, body, { now: NOW })).toBe(true);
  });

  it("uses a plain secret's UTF-8 bytes as the key", () => {
    const plain = "a plain shared secret, not base64";
    expect(webhookKey(plain).equals(Buffer.from(plain, "utf8"))).toBe(true);
    const signature = signWebhook(plain, { id: "msg_1", timestamp: nowSeconds, body: "{}" });
    const expected = createHmac("sha256", plain).update(`msg_1.${nowSeconds}.{}`).digest("base64");
    expect(signature).toBe(`v1,${expected}`);
    expect(
      verifyWebhook(plain, { id: "msg_1", timestamp: String(nowSeconds), signature }, "{}", { now: NOW }),
    ).toBe(true);
  });
});
