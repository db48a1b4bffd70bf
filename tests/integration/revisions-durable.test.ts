import http from "node:http";
import type { LanguageModelV4CallOptions } from "@ai-sdk/provider";
import { APICallError } from "ai";
import { and, eq, like } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// The durable side of day revisions on the local runner: the `itinerary.updated` webhook
// when a revision lands or fails, a revision a stopped server left `revising` resumed by the
// next leader, and a job deleted mid-revision. A receiver on 127.0.0.1 checks each webhook
// with the standardwebhooks library, independently of our signing code.

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

import * as jobRoute from "@/app/api/itineraries/[id]/route";
import * as revisionsRoute from "@/app/api/itineraries/[id]/days/[day]/revisions/route";
import { getDb } from "@/lib/db/client";
import { insertItinerary } from "@/lib/db/queries/itineraries";
import { itineraryDayRevisions, jobSteps } from "@/lib/db/schema";
import type { ItineraryResource } from "@/lib/domain/resource";
import { resetEnvCache } from "@/lib/env";
import { deleteItinerary } from "@/lib/itineraries/commands";
import { saveStepOutput } from "@/lib/db/queries/steps";
import { dispatchItineraryUpdated, resumeUnfinishedJobs } from "@/lib/jobs/dispatch";
import { createGenerationRunner, revisionRunKey, revisionRunner, webhookRunner } from "@/lib/jobs/local-functions";
import { demoAnswer, promptText } from "@/lib/llm/demo-model";
import { setModelForTests } from "@/lib/llm/model";
import { parsePromptTask, promptStepId } from "@/lib/llm/prompts";
import type { UpdatedWebhookPayload, WebhookPayload } from "@/lib/workflow/deliver-webhook";
import { createTestDatabase } from "../helpers/database";
import { ANYONE_ON_AN_OPEN_SERVER } from "../helpers/owners";
import { jsonAnswer, streamingModel } from "../helpers/streaming-model";

// --- The receiver: records every delivery; per path, the statuses to answer in turn.

interface Delivery {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const deliveries: Delivery[] = [];
const answers = new Map<string, number[]>();
const receiver = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const path = request.url ?? "/";
    deliveries.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
    const script = answers.get(path) ?? [204];
    response.statusCode = script.length > 1 ? script.shift()! : script[0]!;
    response.end();
  });
});
let origin = "";

/** A receiver's check: the Standard Webhooks library verifies the signature (and the timestamp's freshness). */
function verified(delivery: Delivery): WebhookPayload {
  const header = (name: string) => String(delivery.headers[name] ?? "");
  return new Webhook(SECRET).verify(delivery.body, {
    "webhook-id": header("webhook-id"),
    "webhook-timestamp": header("webhook-timestamp"),
    "webhook-signature": header("webhook-signature"),
  }) as WebhookPayload;
}

/** The `itinerary.updated` deliveries to `path` (the job's other webhooks, such as itinerary.completed, left out). */
const updatesTo = (path: string) =>
  deliveries.filter((delivery) => delivery.path === path && (JSON.parse(delivery.body) as WebhookPayload).type === "itinerary.updated");

async function updatesArrived(path: string, expected: number): Promise<Delivery[]> {
  await vi.waitFor(() => expect(updatesTo(path)).toHaveLength(expected), { timeout: 10_000, interval: 20 });
  await webhookRunner().drain();
  return updatesTo(path);
}

// --- The model: the demo answers for generation; a revision the test can recognise, after
// `onRevise` (nothing, throw, or wait for the call's abort signal).

/** Model calls per job and step: "<id>#revise-day-2". */
const calls = new Map<string, number>();
const callsFor = (id: string) =>
  Object.fromEntries([...calls].filter(([key]) => key.startsWith(`${id}#`)).map(([key, count]) => [key.slice(id.length + 1), count]));
let onRevise: (options: LanguageModelV4CallOptions) => Promise<void> | void = () => {};
const aborted = { count: 0 };

/** A revision call that waits until its call is aborted (then counts it), and never answers. */
const untilAborted = (options: LanguageModelV4CallOptions) =>
  new Promise<void>((_, reject) => {
    const signal = options.abortSignal;
    if (!signal) return reject(new Error("the model call has no abort signal"));
    signal.addEventListener("abort", () => {
      aborted.count += 1;
      reject(signal.reason);
    });
  });

const unavailable = () => {
  throw new APICallError({ message: "down", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });
};

const model = streamingModel({
  doGenerate: async (options) => {
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("no trip request in the prompt");
    const key = `${task.trip.destination}#${promptStepId(task)}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    if (task.task === "revise-day") await onRevise(options);
    const answer =
      task.task === "revise-day"
        ? {
            ...task.current,
            activities: task.current.activities.map((activity, index) =>
              index === 0 ? { ...activity, title: `Revised: ${task.instruction}` } : activity,
            ),
          }
        : demoAnswer(task);
    return jsonAnswer(answer, { input: 100, output: 50 });
  },
});

// --- Jobs and the API.

let trips = 0;
/** A completed trip (its destination is its id, so the model's calls count per job), with a callback URL on `path`. */
async function completedTrip({ path, durationDays = 2 }: { path?: string; durationDays?: number } = {}): Promise<string> {
  trips += 1;
  const job = await insertItinerary({
    status: "processing",
    destination: `Trip ${trips}, Portugal`,
    durationDays,
    startDate: null,
    interests: ["food"],
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    model: "mock",
    requestHash: `revisions-durable-${trips}-${Math.random()}`,
    callbackUrl: path ? `${origin}${path}` : null,
  });
  expect(await createGenerationRunner().start({ id: job.id })).toBe("completed");
  // The trip's own itinerary.completed webhook is queued after the run: let it arrive first.
  if (path) {
    await vi.waitFor(() => expect(deliveries.some((delivery) => delivery.path === path)).toBe(true), { timeout: 5_000, interval: 10 });
  }
  await webhookRunner().drain();
  // Calls are keyed by destination; hand back the id and remember which destination it has.
  destinations.set(job.id, job.destination);
  return job.id;
}
const destinations = new Map<string, string>();
const modelCallsOf = (id: string) => callsFor(destinations.get(id)!);

const params = <T extends Record<string, string>>(values: T) => ({ params: Promise.resolve(values) });

async function read(id: string): Promise<{ status: number; job?: ItineraryResource }> {
  const response = await jobRoute.GET(new Request(`http://localhost/api/itineraries/${id}`), params({ id }));
  return response.status === 200 ? { status: 200, job: (await response.json()) as ItineraryResource } : { status: response.status };
}

async function revise(id: string, day: number, instruction: string): Promise<number> {
  const response = await revisionsRoute.POST(
    new Request(`http://localhost/api/itineraries/${id}/days/${day}/revisions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instruction }),
    }),
    params({ id, day: String(day) }),
  );
  expect(response.status).toBe(202);
  return response.status;
}

const dayOf = (job: ItineraryResource | undefined, day: number) => job!.days.find((entry) => entry.day === day)!;

async function settled(id: string, day: number): Promise<ItineraryResource> {
  await vi.waitFor(async () => expect(dayOf((await read(id)).job, day).state).not.toBe("revising"), { timeout: 10_000, interval: 20 });
  await revisionRunner().drain();
  return (await read(id)).job!;
}

async function stepRows(id: string, prefix: string) {
  const db = await getDb();
  return db
    .select({ stepId: jobSteps.stepId, output: jobSteps.output })
    .from(jobSteps)
    .where(and(eq(jobSteps.jobId, id), like(jobSteps.stepId, `${prefix}%`)));
}

beforeAll(async () => {
  resetEnvCache();
  await createTestDatabase();
  setModelForTests({ model, label: "mock", kind: "demo" });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});

afterEach(async () => {
  onRevise = () => {};
  await revisionRunner().drain();
  await webhookRunner().drain();
});

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe("the itinerary.updated webhook on the local runner", () => {
  it("tells the receiver, signed, that revision 2 of day 2 landed, with the job as it now is", async () => {
    const id = await completedTrip({ path: "/landed" });
    await revise(id, 2, "more relaxed");
    const after = await settled(id, 2);
    expect(dayOf(after, 2)).toMatchObject({ revision: 2, state: "ready" });

    const [delivery] = await updatesArrived("/landed", 1);
    const payload = verified(delivery!) as UpdatedWebhookPayload;
    expect(payload).toMatchObject({ type: "itinerary.updated", day: 2, revision: 2, outcome: "landed" });
    expect(payload.data.id).toBe(id);
    expect(dayOf(payload.data, 2)).toMatchObject({ revision: 2, state: "ready", error: null });
    expect(dayOf(payload.data, 2).activities[0]?.title).toBe("Revised: more relaxed");
    expect(Date.parse(payload.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(modelCallsOf(id)["revise-day-2"]).toBe(1);
  });

  it("tells the receiver that a revision failed: the day says why and keeps its plan", async () => {
    const id = await completedTrip({ path: "/failed" });
    const before = (await read(id)).job!;
    onRevise = unavailable;
    await revise(id, 1, "swap the museum for a market");
    const after = await settled(id, 1);
    expect(dayOf(after, 1).state).toBe("failed");

    const [delivery] = await updatesArrived("/failed", 1);
    const payload = verified(delivery!) as UpdatedWebhookPayload;
    expect(payload).toMatchObject({ type: "itinerary.updated", day: 1, revision: 2, outcome: "failed" });
    expect(dayOf(payload.data, 1)).toMatchObject({ revision: 1, state: "failed" });
    expect(dayOf(payload.data, 1).error).toMatch(/unavailable \(HTTP 503\).*gave up/);
    expect(dayOf(payload.data, 1).activities).toEqual(dayOf(before, 1).activities);
    expect(modelCallsOf(id)["revise-day-1"]).toBe(3); // JOB_MAX_ATTEMPTS
  });

  it("keeps one webhook-id through the receiver's failures, and is sent once however often it is queued", async () => {
    const id = await completedTrip({ path: "/flaky" });
    answers.set("/flaky", [500, 503, 204]);
    await revise(id, 2, "later start");
    await settled(id, 2);
    const attempts = await updatesArrived("/flaky", 3);
    expect(new Set(attempts.map((delivery) => delivery.headers["webhook-id"])).size).toBe(1);
    expect(new Set(attempts.map((delivery) => delivery.body)).size).toBe(1); // the same timestamp and all
    // On record: the delivery as queued (for a restart) and its outcome.
    const records = new Map((await stepRows(id, "webhook-updated-")).map((row) => [row.stepId, row.output]));
    expect(Object.fromEntries(records)).toEqual({
      "webhook-updated-2-2-landed:queued": { id, day: 2, revision: 2, outcome: "landed", at: expect.any(String) },
      "webhook-updated-2-2-landed": expect.objectContaining({ outcome: "delivered", httpStatus: 204 }),
    });
    expect((JSON.parse(attempts[0]!.body) as UpdatedWebhookPayload).timestamp).toBe(
      (records.get("webhook-updated-2-2-landed:queued") as { at: string }).at,
    );

    // The notify step run again (a retry, a resumed run): the delivery is on record, nothing is sent.
    expect(await dispatchItineraryUpdated(id, 2, 2, "landed")).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await webhookRunner().drain();
    expect(updatesTo("/flaky")).toHaveLength(3);
  });

  it("sends nothing for a job without a callback URL", async () => {
    const id = await completedTrip();
    const before = deliveries.length;
    await revise(id, 1, "more food");
    expect(dayOf(await settled(id, 1), 1).revision).toBe(2);
    expect(await dispatchItineraryUpdated(id, 1, 2, "landed")).toBe(false);
    await webhookRunner().drain();
    expect(deliveries.length).toBe(before);
    expect(await stepRows(id, "webhook-")).toEqual([]);
  });
});

describe("a revision cut short", () => {
  it("left revising by a stopped server, it lands once the next leader resumes it; only the unfinished step asks the model again", async () => {
    const id = await completedTrip({ path: "/resumed" });
    const generation = modelCallsOf(id);
    onRevise = untilAborted;
    await revise(id, 2, "fewer museums");
    await vi.waitFor(() => expect(modelCallsOf(id)["revise-day-2"]).toBe(1));

    // The server stops mid-call: the run ends without a word, the day stays revising.
    expect(revisionRunner().cancel(revisionRunKey({ id, day: 2, revision: 2 }))).toBe(true);
    await revisionRunner().drain();
    expect(aborted.count).toBe(1);
    expect(dayOf((await read(id)).job, 2)).toMatchObject({ revision: 1, state: "revising" });
    expect(await stepRows(id, "revision-")).toEqual([]);

    // The next leader takes over.
    onRevise = () => {};
    const resumed = await resumeUnfinishedJobs();
    expect(resumed).toEqual([`${id}:day-2:revision-2`]);
    const after = await settled(id, 2);
    expect(dayOf(after, 2)).toMatchObject({ revision: 2, state: "ready", error: null });
    expect(dayOf(after, 2).activities[0]?.title).toBe("Revised: fewer museums");
    const [delivery] = await updatesArrived("/resumed", 1);
    expect(verified(delivery!)).toMatchObject({ type: "itinerary.updated", day: 2, revision: 2, outcome: "landed" });

    // The cut-short step asked the model once more; the trip's own steps not at all.
    expect(modelCallsOf(id)).toEqual({ ...generation, "revise-day-2": 2 });
    expect((await stepRows(id, "revision-")).map((row) => row.stepId).toSorted()).toEqual([
      "revision-2-2:notify",
      "revision-2-2:revise",
    ]);

    // Another restart finds nothing unfinished; the finished revision is never asked of the model again.
    expect(await resumeUnfinishedJobs()).toEqual([]);
    expect(await revisionRunner().start({ id, day: 2, revision: 2 })).toBe("completed");
    expect(modelCallsOf(id)["revise-day-2"]).toBe(2);
    expect(updatesTo("/resumed")).toHaveLength(1);
  });

  it("an update webhook queued but not delivered when the server stopped is sent by the next leader, as it was queued", async () => {
    const id = await completedTrip({ path: "/queued" });
    await revise(id, 1, "a long lunch");
    await settled(id, 1);
    await updatesArrived("/queued", 1);
    // What a server stopped mid-delivery leaves: the queued delivery of a later revision, no outcome.
    const at = "2026-11-29T06:00:00.000Z";
    const queued = { id, day: 1, revision: 3, outcome: "failed", at };
    await saveStepOutput({ jobId: id, stepId: "webhook-updated-1-3-failed:queued", output: queued, attempts: 1 });

    await resumeUnfinishedJobs();
    const [, resent] = await updatesArrived("/queued", 2);
    expect(verified(resent!)).toMatchObject({ type: "itinerary.updated", day: 1, revision: 3, outcome: "failed", timestamp: at });
    expect(resent!.headers["webhook-id"]).not.toBe(updatesTo("/queued")[0]!.headers["webhook-id"]);

    // Delivered and recorded: the restart after that sends nothing more.
    await resumeUnfinishedJobs();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await webhookRunner().drain();
    expect(updatesTo("/queued")).toHaveLength(2);
  });

  it("deleting the job mid-revision aborts the model call in flight; nothing lands and no webhook is sent", async () => {
    const id = await completedTrip({ path: "/deleted" });
    const abortedBefore = aborted.count;
    onRevise = untilAborted;
    await revise(id, 1, "a day at the beach");
    await vi.waitFor(() => expect(modelCallsOf(id)["revise-day-1"]).toBe(1));
    const deletedAt = performance.now();
    await deleteItinerary(id, ANYONE_ON_AN_OPEN_SERVER);

    await vi.waitFor(() => expect(aborted.count).toBe(abortedBefore + 1), { timeout: 2_000, interval: 10 });
    expect(performance.now() - deletedAt).toBeLessThan(1_500);
    await revisionRunner().drain();
    expect(revisionRunner().activeJobIds.filter((key) => key.startsWith(id))).toEqual([]);
    expect((await read(id)).status).toBe(404);
    const db = await getDb();
    expect(await db.select().from(itineraryDayRevisions).where(eq(itineraryDayRevisions.itineraryId, id))).toEqual([]);
    expect(await stepRows(id, "")).toEqual([]);
    // Not retried: one call, aborted.
    expect(modelCallsOf(id)["revise-day-1"]).toBe(1);
    await webhookRunner().drain();
    expect(updatesTo("/deleted")).toEqual([]);
    expect(await resumeUnfinishedJobs()).toEqual([]);
  });
});
