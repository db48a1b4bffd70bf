import { beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/database";
import { inngestSignature, signInngestRequest } from "../helpers/inngest-signature";

// With Inngest Cloud keys (as on Vercel) the endpoint runs a function only for a request
// signed with the signing key, as Inngest signs it, and refuses anything else: no
// signature, a changed body, a forged or stale signature, another key. And the route's
// time limits fit inside one another.

const SIGNING_KEY = "signkey-test-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
process.env.INNGEST_SIGNING_KEY = SIGNING_KEY;
process.env.INNGEST_EVENT_KEY = "test-event-key";
delete process.env.INNGEST_DEV;
delete process.env.JOB_RUNNER;

const { resetEnvCache, jobRunnerKind, env } = await import("@/lib/env");
resetEnvCache();
const route = await import("@/app/api/inngest/route");
const { POST } = route;
const budget = await import("@/inngest/time-budget");
const { findItineraryById, insertItinerary } = await import("@/lib/db/queries/itineraries");

/** A call to run the daily expiry cron, shaped as Inngest sends it. */
function expiryCall() {
  const event = { name: "inngest/scheduled.timer", data: { cron: "30 3 * * *" }, id: "evt-1", ts: Date.now() };
  return {
    version: 2,
    event,
    events: [event],
    steps: {},
    ctx: { run_id: "01JTESTRUN0000000000000000", attempt: 0, disable_immediate_execution: false, use_api: false, stack: { stack: [], current: 0 } },
  };
}

/** The failure event Inngest sends once a generation run has used up its attempts. */
function generationFailedCall(jobId: string, error: { name: string; message: string }) {
  const original = { name: "itinerary/requested", data: { id: jobId, runKey: jobId }, id: jobId, ts: Date.now() };
  const event = {
    name: "inngest/function.failed",
    data: { event: original, error, function_id: "itinera-generate-itinerary", run_id: "01JTESTRUN0000000000000001" },
    id: "evt-failed-1",
    ts: Date.now(),
  };
  return { ...expiryCall(), event, events: [event] };
}

function post(body: unknown, signature?: string, fnId = "itinera-expire-old-itineraries") {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature) headers["x-inngest-signature"] = signature;
  const request = new Request(`http://localhost/api/inngest?fnId=${fnId}&stepId=step`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return POST(request as never, undefined as never);
}

beforeAll(async () => {
  await createTestDatabase();
});

describe("with Inngest Cloud keys", () => {
  it("chooses the Inngest runner", () => {
    expect(jobRunnerKind()).toBe("inngest");
  });

  it("rejects an unsigned call to run a function", async () => {
    const request = new Request("http://localhost/api/inngest?fnId=itinera-generate-itinerary&stepId=step", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: { name: "itinerary/requested", data: { id: "x", runKey: "x" } }, steps: {}, ctx: {} }),
    });
    const response = await POST(request as never, undefined as never);
    expect(response.status).toBe(401);
  });

  it("runs a function for a request signed as Inngest signs it, and signs its answer with the same key", async () => {
    const body = expiryCall();
    const response = await post(body, signInngestRequest(body, SIGNING_KEY));
    const text = await response.text();
    expect([200, 206], text).toContain(response.status);
    // The expiry step ran and said what it deleted.
    expect(text).toContain("deleted");
    // The SDK's own signer produced this header: our signer, given the same body and
    // time, must agree with it, so the requests above are signed the SDK's way.
    const answer = new URLSearchParams(response.headers.get("x-inngest-signature") ?? "");
    expect(answer.get("s")).toBe(inngestSignature(text, SIGNING_KEY, Number(answer.get("t"))));
  });

  it("rejects a signed request whose body was changed after signing", async () => {
    const body = expiryCall();
    const signature = signInngestRequest(body, SIGNING_KEY);
    const tampered = { ...body, event: { ...body.event, data: { cron: "* * * * *" } } };
    expect((await post(tampered, signature)).status).toBe(401);
  });

  it("rejects a forged signature, another key's signature and a stale one", async () => {
    const body = expiryCall();
    const good = signInngestRequest(body, SIGNING_KEY);
    const forged = good.replace(/s=([0-9a-f])/, (_, first: string) => `s=${first === "0" ? "1" : "0"}`);
    expect((await post(body, forged)).status).toBe(401);
    const otherKey = "signkey-test-ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    expect((await post(body, signInngestRequest(body, otherKey))).status).toBe(401);
    // Inngest accepts signatures up to five minutes old: a replay from ten minutes ago fails.
    expect((await post(body, signInngestRequest(body, SIGNING_KEY, Date.now() - 10 * 60_000))).status).toBe(401);
  });
});

describe("the generation function's failure handler, as Inngest calls it", () => {
  it("reads the job id from the failure event and marks that job failed with a message for people", async () => {
    const job = await insertItinerary({
      status: "processing",
      destination: "Failing trip",
      durationDays: 2,
      startDate: null,
      interests: [],
      pace: "balanced",
      budget: "moderate",
      travellers: 2,
      model: "mock model",
      requestHash: "failing-trip",
    });
    const body = generationFailedCall(job.id, { name: "LlmCallError", message: "Could not reach the language model." });
    const response = await post(body, signInngestRequest(body, SIGNING_KEY), "itinera-generate-itinerary-failure");
    expect([200, 206], await response.text()).toContain(response.status);
    const row = await findItineraryById({ id: job.id });
    expect(row?.status).toBe("failed");
    expect(row?.error).toMatch(/^Could not reach the language model\./);
  });
});

describe("the route's time limits", () => {
  it("maxDuration is the one the time budget is computed from", () => {
    expect(route.maxDuration).toBe(budget.INNGEST_ROUTE_MAX_DURATION_SECONDS);
  });

  it("the default LLM timeout fits the serverless limit", () => {
    expect(env().LLM_TIMEOUT_MS).toBeLessThanOrEqual(budget.MAX_SERVERLESS_LLM_TIMEOUT_MS);
  });

  // How the endpoint applies the checkpoint budget: inngest-checkpoint-budget.test.ts.
});
