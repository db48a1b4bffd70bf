import type { LanguageModelV4GenerateResult } from "@ai-sdk/provider";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parsePromptTask } from "@/lib/llm/prompts";
import { promptText } from "@/lib/llm/demo-model";
import { createTestDatabase } from "../helpers/database";
import { openEventStream } from "../helpers/event-stream";
import { createInngestExecutor, startFakeDevServer } from "../helpers/inngest-executor";
import { contractChecker, type OpenApiDocument } from "../helpers/openapi-contract";
import { jsonAnswer, streamingModel } from "../helpers/streaming-model";
import { fakeAnswer } from "../fixtures/fake-openai-server";

// Live updates on the Inngest runner through Inngest Realtime, against a fake Inngest
// (tests/helpers/fake-realtime.ts) that speaks the SDK's realtime wire: publishes from the
// steps the serve route runs, what a realtime outage does to a job, the token route, and
// the SSE stream hearing a change published by another process.

const devServer = await startFakeDevServer();
for (const key of ["JOB_RUNNER", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY", "JOB_MAX_ATTEMPTS"]) delete process.env[key];
process.env.INNGEST_DEV = devServer.url;
process.env.LOG_LEVEL = "warn";
const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
const { captureLogsForTests } = await import("@/lib/logger");
const log = captureLogsForTests();
const { setModelForTests } = await import("@/lib/llm/model");
const { insertItinerary, findItineraryById, deleteItineraryRow } = await import("@/lib/db/queries/itineraries");
const { itineraries } = await import("@/lib/db/schema");
const { notifyItineraryChanged } = await import("@/lib/live/changes");
const { followedJobs } = await import("@/inngest/realtime");
const { realtimeTokenSchema } = await import("@/lib/api/schemas");
const { subscribe } = await import("inngest/realtime");
const executor = createInngestExecutor(await import("@/app/api/inngest/route"), devServer);
const tokenRoute = await import("@/app/api/itineraries/[id]/realtime-token/route");
const itemRoute = await import("@/app/api/itineraries/[id]/route");
const eventsRoute = await import("@/app/api/itineraries/[id]/events/route");
const openApiRoute = await import("@/app/api/openapi.json/route");

const GENERATE = "itinera-generate-itinerary";
const realtime = devServer.realtime;

// Each answer streams in 8 pieces 60 ms apart, so every step shows previews (at most one
// batch per 250 ms) before its result lands.
const model = streamingModel({
  pieces: 8,
  gapMs: 60,
  doGenerate(options): LanguageModelV4GenerateResult {
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("mock model: no task in the prompt");
    return jsonAnswer(fakeAnswer(task), { input: 10, output: 10 });
  },
});

let db: Awaited<ReturnType<typeof createTestDatabase>>["db"];
let counter = 0;
async function newJob(durationDays: number) {
  counter += 1;
  return insertItinerary({
    destination: `Realtime ${counter}, Portugal`,
    durationDays,
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    interests: [],
    model: "mock model",
    requestHash: `realtime-${counter}`,
  });
}
const requested = (id: string) => ({ name: "itinerary/requested", data: { id, runKey: id } });
const context = (id: string) => ({ params: Promise.resolve({ id }) });
const channelOf = (id: string) => `itinerary:${id}`;
const published = (id: string) => realtime.publishes.filter((message) => message.channel === channelOf(id));

beforeAll(async () => {
  ({ db } = await createTestDatabase());
  setModelForTests({ model, label: "mock model", kind: "demo" });
});
afterAll(async () => {
  log.restore();
  await devServer.close();
});

describe("publishing from the steps the serve route runs", () => {
  it("sends `changed` and `partial` for the job's channel, in order, the last `changed` once the job is complete", async () => {
    const job = await newJob(2);
    // What a subscriber reading the job on each `changed` would see, read as the publish arrives.
    const readOnChange: Array<Promise<string | undefined>> = [];
    realtime.onPublish((message) => {
      if (message.channel === channelOf(job.id) && message.topic === "changed") {
        readOnChange.push(findItineraryById({ id: job.id }).then((row) => row?.status));
      }
    });

    const outcome = await executor.run(GENERATE, requested(job.id));
    expect(outcome.status).toBe("completed");

    const messages = published(job.id);
    const topics = new Set(messages.map((message) => message.topic));
    expect(topics).toEqual(new Set(["changed", "partial"]));
    // Previews of the outline and of both days (at least), each a Preview of this job's parts.
    const parts = new Set(
      messages
        .filter((message) => message.topic === "partial")
        .map((message) => {
          const data = message.data as { part: string; day: number | null; value: unknown };
          expect(data.value).not.toBeNull();
          return data.part === "day" ? `day-${data.day}` : data.part;
        }),
    );
    expect([...parts]).toEqual(expect.arrayContaining(["outline", "day-1", "day-2"]));

    // In the order they were announced: the `at` of the changes never goes back, and no
    // preview comes after the job's last change.
    const changes = messages.filter((message) => message.topic === "changed").map((message) => (message.data as { at: string }).at);
    expect(changes.length).toBeGreaterThanOrEqual(4);
    expect([...changes].sort()).toEqual(changes);
    expect(messages.at(-1)?.topic).toBe("changed");

    // Whoever reads the job on the last `changed` finds it complete, with both days.
    expect((await Promise.all(readOnChange)).at(-1)).toBe("completed");
    const response = await itemRoute.GET(new Request(`http://localhost/api/itineraries/${job.id}`), context(job.id));
    const resource = (await response.json()) as { status: string; days: unknown[]; progress: number };
    expect(resource).toMatchObject({ status: "completed", progress: 100 });
    expect(resource.days).toHaveLength(2);

    // Published from inside the run: Inngest files them under it.
    expect(messages.some((message) => message.runId === outcome.runId)).toBe(true);
  }, 60_000);

  for (const failure of [500, "drop-connection"] as const) {
    it(`completes the job when every publish fails (${failure === 500 ? "HTTP 500" : "connection dropped"}), and logs the failures`, async () => {
      realtime.failPublishes(failure);
      try {
        const job = await newJob(1);
        const failedBefore = realtime.failed.length;
        const outcome = await executor.run(GENERATE, requested(job.id));
        expect(outcome.status).toBe("completed");
        expect((await findItineraryById({ id: job.id }))?.status).toBe("completed");
        expect(realtime.failed.length).toBeGreaterThan(failedBefore);
        expect(published(job.id)).toEqual([]);
        await vi.waitFor(() => {
          const logged = log.lines.map((line) => JSON.parse(line) as { msg: string; jobId?: string });
          expect(logged.some((line) => line.msg === "could not relay a live update" && line.jobId === job.id)).toBe(true);
        });
      } finally {
        realtime.failPublishes(null);
      }
    }, 60_000);
  }

  it("does not hold a step up for long when Inngest Realtime never answers", async () => {
    const job = await newJob(1);
    const quick = performance.now();
    expect((await executor.run(GENERATE, requested(job.id))).status).toBe("completed");
    const normal = performance.now() - quick;

    realtime.failPublishes("hang");
    try {
      const slowJob = await newJob(1);
      const started = performance.now();
      expect((await executor.run(GENERATE, requested(slowJob.id))).status).toBe("completed");
      // Four steps (outline, day-1, finalize, notify), each waiting at most half a second
      // for its publishes.
      expect(performance.now() - started).toBeLessThan(normal + 4 * 500 + 1_500);
    } finally {
      realtime.failPublishes(null);
    }
  }, 60_000);
});

describe("GET /api/itineraries/{id}/realtime-token", () => {
  const getToken = (id: string) =>
    tokenRoute.GET(new Request(`http://localhost/api/itineraries/${id}/realtime-token`), context(id));

  it("hands whoever may read the job a token for its channel that the SDK subscribes with", async () => {
    const job = await newJob(1);
    const response = await getToken(job.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    // As the OpenAPI document describes it.
    const contract = contractChecker((await (await openApiRoute.GET()).json()) as OpenApiDocument);
    const token = realtimeTokenSchema.parse(await contract.check("/api/itineraries/{id}/realtime-token", "GET", response));
    expect(token).toMatchObject({ channel: channelOf(job.id), topics: ["changed", "partial"] });
    expect(token.apiBaseUrl?.replace(/\/$/, "")).toBe(devServer.url);
    expect(realtime.tokens.at(-1)).toEqual({ channel: channelOf(job.id), topics: ["changed", "partial"] });

    // The browser's path: the SDK's subscribe with the token as the route answers it.
    const received: Array<{ topic: string; data: unknown }> = [];
    const subscription = await subscribe({
      ...token,
      onMessage: (message: { topic?: string; data: unknown }) => void received.push({ topic: String(message.topic), data: message.data }),
    });
    try {
      notifyItineraryChanged(job.id);
      await vi.waitFor(() => expect(received.map((message) => message.topic)).toContain("changed"));
      expect(received[0]?.data).toMatchObject({ at: expect.any(String) });
    } finally {
      subscription.close();
    }
  });

  it("answers 404 to anyone asking for a job that does not exist (unknown, malformed or deleted id)", async () => {
    const job = await newJob(1);
    await deleteItineraryRow({ id: job.id });
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-job", job.id]) {
      const response = await getToken(id);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });

  it("answers 409 conflict on the local runner, which has no realtime channel", async () => {
    const job = await newJob(1);
    process.env.JOB_RUNNER = "local";
    resetEnvCache();
    try {
      const tokensBefore = realtime.tokens.length;
      const response = await getToken(job.id);
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ error: { code: "conflict", details: { runner: "local" } } });
      expect(realtime.tokens.length).toBe(tokensBefore);
    } finally {
      delete process.env.JOB_RUNNER;
      resetEnvCache();
    }
  });
});

describe("the SSE stream on the Inngest runner", () => {
  it("sends what another process published through Inngest Realtime, over one shared subscription", async () => {
    const job = await newJob(2);
    const channel = channelOf(job.id);
    const connectionsBefore = realtime.connections();
    const first = new AbortController();
    const second = new AbortController();
    const a = await openEventStream(eventsRoute, job.id, first.signal);
    const b = await openEventStream(eventsRoute, job.id, second.signal);
    try {
      expect(await a.readUntil(/event: snapshot/)).toBe(true);
      expect(await b.readUntil(/event: snapshot/)).toBe(true);
      await vi.waitFor(() => expect(realtime.subscriptions(channel)).toBe(1));
      expect(realtime.connections() - connectionsBefore).toBe(1);
      expect(followedJobs().get(job.id)).toBe(2);

      // Another process changes the job: a write this process hears nothing of (no
      // in-process event, no NOTIFY with the embedded database), then its publish.
      await db.update(itineraries).set({ progress: 42, updatedAt: new Date() }).where(eq(itineraries.id, job.id));
      realtime.publishElsewhere({ channel, topic: "changed", runId: null, data: { at: new Date().toISOString(), origin: "another-process" } });
      expect(await a.readUntil(/"progress":42/)).toBe(true);
      expect(await b.readUntil(/"progress":42/)).toBe(true);

      const preview = { part: "outline", day: null, attempt: 1, value: { title: "Three days by the river" } };
      realtime.publishElsewhere({ channel, topic: "partial", runId: null, data: { ...preview, origin: "another-process" } });
      expect(await a.readUntil(/event: partial\ndata: .*Three days by the river/)).toBe(true);
      expect(await b.readUntil(/event: partial\ndata: .*Three days by the river/)).toBe(true);
    } finally {
      first.abort();
      await a.cancel();
    }
    // One stream left: the subscription stays; the last one closes it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(realtime.subscriptions(channel)).toBe(1);
    second.abort();
    await b.cancel();
    await vi.waitFor(() => expect(realtime.subscriptions(channel)).toBe(0));
    expect(followedJobs().has(job.id)).toBe(false);
  });

  it("subscribes again after Inngest drops the subscription", async () => {
    const job = await newJob(1);
    const channel = channelOf(job.id);
    const stop = new AbortController();
    const stream = await openEventStream(eventsRoute, job.id, stop.signal);
    try {
      expect(await stream.readUntil(/event: snapshot/)).toBe(true);
      await vi.waitFor(() => expect(realtime.subscriptions(channel)).toBe(1));
      realtime.dropSubscriptions();
      await vi.waitFor(() => expect(realtime.subscriptions(channel)).toBe(1), { timeout: 5_000 });
      await db.update(itineraries).set({ progress: 77, updatedAt: new Date() }).where(eq(itineraries.id, job.id));
      realtime.publishElsewhere({ channel, topic: "changed", runId: null, data: { at: new Date().toISOString() } });
      expect(await stream.readUntil(/"progress":77/)).toBe(true);
    } finally {
      stop.abort();
      await stream.cancel();
    }
  });

  it("keeps working on this process's own changes when Inngest Realtime refuses the subscription, and logs it", async () => {
    realtime.refuseSubscriptions(true);
    const job = await newJob(1);
    const stop = new AbortController();
    const stream = await openEventStream(eventsRoute, job.id, stop.signal);
    try {
      expect(await stream.readUntil(/event: snapshot/)).toBe(true);
      await vi.waitFor(() => {
        const logged = log.lines.map((line) => JSON.parse(line) as { msg: string; jobId?: string });
        expect(logged.some((line) => line.msg.startsWith("could not subscribe to Inngest Realtime") && line.jobId === job.id)).toBe(true);
      });
      await db.update(itineraries).set({ progress: 13, updatedAt: new Date() }).where(eq(itineraries.id, job.id));
      notifyItineraryChanged(job.id);
      expect(await stream.readUntil(/"progress":13/)).toBe(true);
    } finally {
      realtime.refuseSubscriptions(false);
      stop.abort();
      await stream.cancel();
    }
  });
});
