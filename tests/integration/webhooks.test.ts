import { createHmac } from "node:crypto";
import http from "node:http";
import { APICallError } from "ai";
import { jsonAnswer, streamingModel } from "../helpers/streaming-model";
import type { LanguageModelV4GenerateResult } from "@ai-sdk/provider";
import { and, count, eq } from "drizzle-orm";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// Webhooks end to end on the local runner: a receiver on 127.0.0.1 verifies every delivery
// with the shared secret exactly as the Standard Webhooks specification says, independently
// of our own signing code.

const SECRET = vi.hoisted(() => {
  const secret = `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64")}`;
  Object.assign(process.env, {
    WEBHOOK_SECRET: secret,
    WEBHOOK_ALLOW_PRIVATE: "1", // the receiver is on 127.0.0.1
    JOB_RUNNER: "local",
    JOB_MAX_ATTEMPTS: "3",
    JOB_RETRY_BASE_MS: "5",
    DEMO_MODEL_LATENCY_MS: "0",
    LLM_CONCURRENCY: "20",
  });
  for (const key of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "INNGEST_DEV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY", "API_KEYS"]) {
    delete process.env[key];
  }
  return secret;
});

import { POST } from "@/app/api/itineraries/route";
import { itineraries, jobSteps } from "@/lib/db/schema";
import { env, resetEnvCache } from "@/lib/env";
import { dispatchItineraryEnded } from "@/lib/jobs/dispatch";
import { localRunner, webhookRunner } from "@/lib/jobs/local-functions";
import { resumeUnfinishedJobs } from "@/lib/jobs/dispatch";
import { findItineraryById, insertItinerary } from "@/lib/db/queries/itineraries";
import { retryItinerary } from "@/lib/itineraries/commands";
import { cancelItinerary } from "@/lib/itineraries/commands";
import { submitItinerary } from "@/lib/itineraries/submit";
import { sweepStaleJobs } from "@/lib/jobs/sweeper";
import { demoAnswer, promptText } from "@/lib/llm/demo-model";
import { setModelForTests } from "@/lib/llm/model";
import { parsePromptTask } from "@/lib/llm/prompts";
import type { WebhookPayload } from "@/lib/workflow/deliver-webhook";
import { createTestDatabase } from "../helpers/database";
import { ANYONE_ON_AN_OPEN_SERVER } from "../helpers/owners";

// --- The receiver.

interface Delivery {
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Unix seconds when it arrived. */
  receivedAt: number;
}

const deliveries: Delivery[] = [];
/** Per path, the statuses to answer in turn; the last one repeats. */
const answers = new Map<string, number[]>();

const receiver = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const path = request.url ?? "/";
    deliveries.push({
      path,
      method: request.method ?? "",
      headers: request.headers,
      body: Buffer.concat(chunks).toString("utf8"),
      receivedAt: Date.now() / 1000,
    });
    const script = answers.get(path) ?? [204];
    response.statusCode = script.length > 1 ? script.shift()! : script[0]!;
    response.end(response.statusCode === 204 ? undefined : "thanks");
  });
});
let origin = "";

const to = (path: string) => deliveries.filter((delivery) => delivery.path === path);

/** What a receiver does with the secret: recompute v1 over `${id}.${timestamp}.${body}`. */
function signatureIsValid(delivery: Delivery): boolean {
  const id = String(delivery.headers["webhook-id"]);
  const timestamp = String(delivery.headers["webhook-timestamp"]);
  const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${delivery.body}`).digest("base64");
  const fresh = Math.abs(delivery.receivedAt - Number(timestamp)) < 60;
  return fresh && String(delivery.headers["webhook-signature"]).split(" ").includes(`v1,${expected}`);
}

const payloadOf = (delivery: Delivery) => JSON.parse(delivery.body) as WebhookPayload;

async function deliveriesTo(path: string, expected: number): Promise<Delivery[]> {
  await vi.waitFor(() => expect(to(path)).toHaveLength(expected), { timeout: 10_000, interval: 20 });
  await webhookRunner().drain();
  return to(path);
}

async function webhookStep(id: string, status: string) {
  const rows = await db
    .select({ output: jobSteps.output, attempts: jobSteps.attempts })
    .from(jobSteps)
    .where(and(eq(jobSteps.jobId, id), eq(jobSteps.stepId, `webhook-${status}`)));
  return rows[0];
}

// --- Models: the demo model by default; one that refuses our key; one that waits.

const LEAKED = "sk-proj-LEAKED-in-provider-body";

const refusingModel = streamingModel({
  doGenerate: () => {
    throw new APICallError({
      message: `HTTP 401: ${LEAKED}`,
      url: "https://api.openai.com/v1/responses",
      requestBodyValues: {},
      statusCode: 401,
      responseHeaders: {},
      responseBody: JSON.stringify({ error: { message: `Incorrect API key ${LEAKED}` } }),
      isRetryable: false,
    });
  },
});

let release: () => void = () => {};
let waitingCalls = 0;
const waitingModel = streamingModel({
  doGenerate: async (options): Promise<LanguageModelV4GenerateResult> => {
    waitingCalls += 1;
    await new Promise<void>((resolve) => (release = resolve));
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("no trip request in the prompt");
    return jsonAnswer(demoAnswer(task), { input: 1, output: 1 });
  },
});

let db: Awaited<ReturnType<typeof createTestDatabase>>["db"];

beforeAll(async () => {
  resetEnvCache();
  expect(env()).toMatchObject({ WEBHOOK_ALLOW_PRIVATE: true, JOB_MAX_ATTEMPTS: 3 });
  ({ db } = await createTestDatabase());
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});

afterEach(async () => {
  setModelForTests(undefined);
  release();
  await localRunner().drain();
  await webhookRunner().drain();
});

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const trip = (path: string, durationDays = 2) => ({ destination: "Lisbon, Portugal", durationDays, callbackUrl: `${origin}${path}` });

async function completedJob(path: string) {
  const { job } = await submitItinerary(trip(path));
  expect(job.callbackUrl).toBe(`${origin}${path}`);
  await vi.waitFor(async () => expect((await findItineraryById({ id: job.id }))?.status).toBe("completed"), {
    timeout: 10_000,
  });
  return job;
}

describe("webhooks when a job ends", () => {
  it("completed: one signed POST carrying the finished job", async () => {
    const job = await completedJob("/completed");
    const [delivery] = await deliveriesTo("/completed", 1);
    const row = await findItineraryById({ id: job.id });

    expect(delivery!.method).toBe("POST");
    expect(delivery!.headers["content-type"]).toBe("application/json");
    expect(delivery!.headers["webhook-id"]).toMatch(/^msg_[A-Za-z0-9_-]+$/);
    expect(delivery!.headers["webhook-timestamp"]).toMatch(/^\d+$/);
    expect(delivery!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(signatureIsValid(delivery!)).toBe(true);

    const payload = payloadOf(delivery!);
    expect(payload).toMatchObject({
      type: "itinerary.completed",
      timestamp: row?.completedAt?.toISOString(),
      data: { id: job.id, status: "completed", destination: "Lisbon, Portugal", durationDays: 2, error: null },
    });
    expect(payload.data.itinerary?.map((day) => day.day)).toEqual([1, 2]);
    expect(payload.data.links.self).toBe(`/api/itineraries/${job.id}`);
    expect(await webhookStep(job.id, "completed")).toMatchObject({ output: { outcome: "delivered" }, attempts: 1 });
  });

  it("the official Standard Webhooks library verifies a delivery with the configured secret", async () => {
    const job = await completedJob("/standard-library");
    const [delivery] = await deliveriesTo("/standard-library", 1);
    const headers = Object.fromEntries(
      ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => [name, String(delivery!.headers[name])]),
    );
    // What a receiver writes: the `standardwebhooks` package, the secret as Itinera's operator shares it.
    const verifier = new Webhook(env().WEBHOOK_SECRET!);
    expect(verifier.verify(delivery!.body, headers)).toMatchObject({
      type: "itinerary.completed",
      data: { id: job.id, status: "completed" },
    });
    // A body changed on the way, or another secret, does not verify.
    expect(() => verifier.verify(delivery!.body.replace("Lisbon", "Lisboa"), headers)).toThrow(WebhookVerificationError);
    const stranger = new Webhook(`whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64")}`);
    expect(() => stranger.verify(delivery!.body, headers)).toThrow(WebhookVerificationError);
  });

  it("failed: the job's readable error, never the provider's body", async () => {
    setModelForTests({ model: refusingModel, label: "mock", kind: "demo" });
    const { job } = await submitItinerary(trip("/failed"));
    const [delivery] = await deliveriesTo("/failed", 1);
    expect(signatureIsValid(delivery!)).toBe(true);
    const payload = payloadOf(delivery!);
    expect(payload).toMatchObject({ type: "itinerary.failed", data: { id: job.id, status: "failed", itinerary: null } });
    expect(payload.data.error).toContain("OPENAI_API_KEY");
    expect(delivery!.body).not.toContain(LEAKED);
    expect((await findItineraryById({ id: job.id }))?.status).toBe("failed");
  });

  it("cancelled: sent once, and nothing else follows when the run winds down", async () => {
    setModelForTests({ model: waitingModel, label: "mock", kind: "demo" });
    waitingCalls = 0;
    const { job } = await submitItinerary(trip("/cancelled"));
    await vi.waitFor(() => expect(waitingCalls).toBe(1));
    await cancelItinerary(job.id, ANYONE_ON_AN_OPEN_SERVER);
    const [delivery] = await deliveriesTo("/cancelled", 1);
    expect(signatureIsValid(delivery!)).toBe(true);
    expect(payloadOf(delivery!)).toMatchObject({ type: "itinerary.cancelled", data: { id: job.id, status: "cancelled" } });
    release();
    await localRunner().drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(to("/cancelled")).toHaveLength(1);
  });

  it("failed by the sweeper: a stuck job's failure is announced too", async () => {
    const job = await insertItinerary({
      status: "processing",
      destination: "Tavira, Portugal",
      durationDays: 1,
      pace: "balanced",
      budget: "moderate",
      travellers: 2,
      model: "mock",
      requestHash: "swept",
      callbackUrl: `${origin}/swept`,
    });
    const { failed } = await sweepStaleJobs({ now: new Date(Date.now() + 7 * 24 * 3600_000), runner: "local" });
    expect(failed).toEqual([job.id]);
    const [delivery] = await deliveriesTo("/swept", 1);
    expect(signatureIsValid(delivery!)).toBe(true);
    expect(payloadOf(delivery!)).toMatchObject({ type: "itinerary.failed", data: { id: job.id, status: "failed" } });
  });

  it("a job retried and failing again is a new event: a second webhook with a new webhook-id", async () => {
    setModelForTests({ model: refusingModel, label: "mock", kind: "demo" });
    const { job } = await submitItinerary(trip("/failed-twice"));
    await deliveriesTo("/failed-twice", 1);
    await localRunner().drain();
    await retryItinerary(job.id, ANYONE_ON_AN_OPEN_SERVER);
    const [first, second] = await deliveriesTo("/failed-twice", 2);
    expect([first, second].every((delivery) => signatureIsValid(delivery!))).toBe(true);
    expect(payloadOf(second!).type).toBe("itinerary.failed");
    expect(second!.headers["webhook-id"]).not.toBe(first!.headers["webhook-id"]);
  });

  it("sends nothing for a job without a callback URL", async () => {
    const before = deliveries.length;
    const { job } = await submitItinerary({ destination: "Porto, Portugal", durationDays: 1 });
    await vi.waitFor(async () => expect((await findItineraryById({ id: job.id }))?.status).toBe("completed"));
    expect(await dispatchItineraryEnded(job.id, "completed")).toBe(false);
    await webhookRunner().drain();
    expect(deliveries.length).toBe(before);
    expect(webhookRunner().activeJobIds).toEqual([]);
  });
});

describe("retries", () => {
  it("a receiver answering 500 twice, then 200, gets the same webhook three times", async () => {
    answers.set("/flaky", [500, 500, 200]);
    const job = await completedJob("/flaky");
    const attempts = await deliveriesTo("/flaky", 3);

    expect(new Set(attempts.map((delivery) => delivery.headers["webhook-id"])).size).toBe(1);
    expect(attempts.every(signatureIsValid)).toBe(true);
    expect(new Set(attempts.map((delivery) => payloadOf(delivery).timestamp)).size).toBe(1);
    expect(await webhookStep(job.id, "completed")).toMatchObject({ output: { outcome: "delivered" }, attempts: 3 });

    // The job itself is untouched: still completed, not written to since it completed.
    const row = await findItineraryById({ id: job.id });
    expect(row).toMatchObject({ status: "completed", error: null, progress: 100 });
    expect(row?.updatedAt.getTime()).toBe(row?.completedAt?.getTime());
  });

  it("a receiver that always fails gets JOB_MAX_ATTEMPTS tries and the job stays completed", async () => {
    answers.set("/down", [503]);
    const job = await completedJob("/down");
    await deliveriesTo("/down", 3);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(to("/down")).toHaveLength(3);
    expect(await webhookStep(job.id, "completed")).toMatchObject({ output: { outcome: "abandoned" } });
    const row = await findItineraryById({ id: job.id });
    expect(row).toMatchObject({ status: "completed", error: null });
    expect(row?.updatedAt.getTime()).toBe(row?.completedAt?.getTime());
  });

  it("410 Gone means stop: no retries", async () => {
    answers.set("/gone", [410, 200]);
    const job = await completedJob("/gone");
    await deliveriesTo("/gone", 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(to("/gone")).toHaveLength(1);
    expect(await webhookStep(job.id, "completed")).toMatchObject({ output: { outcome: "gone" }, attempts: 1 });
  });

  it("a redirect is not followed: it counts as a failed attempt", async () => {
    answers.set("/moved", [302]);
    const job = await completedJob("/moved");
    await deliveriesTo("/moved", 3);
    expect(deliveries.filter((delivery) => delivery.path !== "/moved" && delivery.body.includes(job.id))).toEqual([]);
    expect(await webhookStep(job.id, "completed")).toMatchObject({ output: { outcome: "abandoned" } });
  });
});

describe("after a restart", () => {
  const endedRow = (path: string, completedAt: Date) =>
    insertItinerary({
      status: "completed",
      destination: "Aveiro, Portugal",
      durationDays: 1,
      pace: "balanced",
      budget: "moderate",
      travellers: 2,
      model: "mock",
      requestHash: `restart-${path}`,
      callbackUrl: `${origin}${path}`,
      completedAt,
    });

  it("sends the webhooks of the last day that were never delivered, once", async () => {
    // Jobs that ended while the process was going down: their webhook runs were lost.
    const pending = await endedRow("/after-restart", new Date(Date.now() - 60_000));
    const stale = await endedRow("/too-old", new Date(Date.now() - 2 * 24 * 3600_000));

    await resumeUnfinishedJobs();
    const [delivery] = await deliveriesTo("/after-restart", 1);
    expect(signatureIsValid(delivery!)).toBe(true);
    expect(payloadOf(delivery!).data.id).toBe(pending.id);

    // Delivered (or given up on) is recorded: a second restart sends nothing again.
    await resumeUnfinishedJobs();
    await webhookRunner().drain();
    expect(to("/after-restart")).toHaveLength(1);
    expect(to("/too-old")).toEqual([]);
    expect(await webhookStep(stale.id, "completed")).toBeUndefined();
  });
});

describe("refusing private callback URLs", () => {
  async function withEnv<T>(changes: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(changes).map((key) => [key, process.env[key]]));
    Object.assign(process.env, changes);
    for (const [key, value] of Object.entries(changes)) if (value === undefined) delete process.env[key];
    resetEnvCache();
    try {
      return await run();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      resetEnvCache();
    }
  }

  const rowCount = async () => (await db.select({ value: count() }).from(itineraries))[0]?.value ?? 0;

  async function post(body: unknown) {
    const response = await POST(
      new Request("http://localhost/api/itineraries", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
    return { status: response.status, body: (await response.json()) as { error: { code: string; details?: { fields?: Record<string, string[]> } } } };
  }

  it("at submit: 422 validation_failed naming callbackUrl, and no row written", async () => {
    await withEnv({ WEBHOOK_ALLOW_PRIVATE: "0" }, async () => {
      const before = await rowCount();
      for (const callbackUrl of [`${origin}/private`, "http://localhost:3000/hook", "http://[::1]/", "http://169.254.169.254/"]) {
        const { status, body } = await post({ destination: "Lisbon", durationDays: 2, callbackUrl });
        expect(status, callbackUrl).toBe(422);
        expect(body.error.code).toBe("validation_failed");
        expect(body.error.details?.fields?.callbackUrl).toEqual(["callbackUrl must be a public http(s) URL"]);
      }
      expect(await rowCount()).toBe(before);
    });
  });

  it("at submit: a URL that is not http(s) is a 422 too, whatever the setting", async () => {
    const { status, body } = await post({ destination: "Lisbon", durationDays: 2, callbackUrl: "ftp://example.com/x" });
    expect(status).toBe(422);
    expect(body.error.details?.fields?.callbackUrl).toEqual(["callbackUrl must be a public http(s) URL"]);
  });

  it("at submit: without WEBHOOK_SECRET a callback URL is refused rather than sent unsigned", async () => {
    await withEnv({ WEBHOOK_SECRET: undefined }, async () => {
      const before = await rowCount();
      const { status, body } = await post({ destination: "Lisbon", durationDays: 2, callbackUrl: "https://hooks.example.com/x" });
      expect(status).toBe(422);
      expect(body.error.details?.fields?.callbackUrl).toEqual(["webhooks are not configured on this server"]);
      expect(await rowCount()).toBe(before);
    });
  });

  /** A finished job whose webhook is still to be sent to `callbackUrl`. */
  const completedJobCallingBack = (callbackUrl: string, requestHash: string) =>
    insertItinerary({
      status: "completed",
      destination: "Faro, Portugal",
      durationDays: 1,
      pace: "balanced",
      budget: "moderate",
      travellers: 2,
      model: "mock",
      requestHash,
      callbackUrl,
      completedAt: new Date(),
    });

  it("at delivery: a name that resolves to a private address is refused (DNS-rebinding guard)", async () => {
    // A row written while private addresses were allowed, delivered after they no longer are.
    const { port } = receiver.address() as { port: number };
    const job = await completedJobCallingBack(`http://localhost:${port}/rebind`, "rebind");
    await withEnv({ WEBHOOK_ALLOW_PRIVATE: "0" }, async () => {
      expect(await dispatchItineraryEnded(job.id, "completed")).toBe(true);
      await vi.waitFor(async () => expect(await webhookStep(job.id, "completed")).toBeDefined());
      await webhookRunner().drain();
    });
    expect(to("/rebind")).toEqual([]);
    const step = await webhookStep(job.id, "completed");
    expect(step?.output).toMatchObject({ outcome: "abandoned" });
    expect((step?.output as { reason: string }).reason).toMatch(/private address/);

    // The same kind of name, with private addresses allowed: the guarded lookup still connects.
    const allowed = await completedJobCallingBack(`http://localhost:${port}/by-name`, "rebind-allowed");
    expect(await dispatchItineraryEnded(allowed.id, "completed")).toBe(true);
    const [delivery] = await deliveriesTo("/by-name", 1);
    expect(signatureIsValid(delivery!)).toBe(true);
  });
});
