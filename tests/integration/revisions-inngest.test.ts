import http from "node:http";
import type { LanguageModelV4CallOptions, LanguageModelV4GenerateResult } from "@ai-sdk/provider";
import { InngestTestEngine } from "@inngest/test";
import { APICallError } from "ai";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "../helpers/database";
import { createInngestExecutor, evaluateExpression, startFakeDevServer, type InngestEvent, type Op } from "../helpers/inngest-executor";
import { ANYONE_ON_AN_OPEN_SERVER } from "../helpers/owners";
import { jsonAnswer, streamingModel } from "../helpers/streaming-model";

// Day revisions on the Inngest path, on a real (in-memory PGlite) database with a mock
// model: the revise-itinerary-day function under @inngest/test and through the app's
// Inngest endpoint as a (fake) Inngest executor calls it, its failure handler, the
// itinerary/updated event it sends and the webhook the deliver function makes of it, and a
// job deleted while its day is being rewritten.

const SECRET = "whsec_" + Buffer.from("another test secret, long enough").toString("base64");
const devServer = await startFakeDevServer();
Object.assign(process.env, { INNGEST_DEV: devServer.url, WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE: "1" });
for (const key of ["JOB_RUNNER", "JOB_MAX_ATTEMPTS", "OPENAI_API_KEY", "OPENAI_BASE_URL", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) {
  delete process.env[key];
}

const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
const { demoAnswer, promptText } = await import("@/lib/llm/demo-model");
const { setModelForTests } = await import("@/lib/llm/model");
const { parsePromptTask, promptStepId } = await import("@/lib/llm/prompts");
const { findItineraryById, insertItinerary } = await import("@/lib/db/queries/itineraries");
const { requestRevision } = await import("@/lib/itineraries/revisions");
const { deleteItinerary } = await import("@/lib/itineraries/commands");
const { reviseItineraryDayFunction } = await import("@/inngest/functions/revise-itinerary-day");
type UpdatedWebhookPayload = import("@/lib/workflow/deliver-webhook").UpdatedWebhookPayload;
const executor = createInngestExecutor(await import("@/app/api/inngest/route"), devServer);

const GENERATE = "itinera-generate-itinerary";
const REVISE = "itinera-revise-itinerary-day";
const DELIVER = "itinera-deliver-itinerary-webhook";

// --- The model: demo answers for the trip; a recognisable revision; per job and step, the
// calls made and errors to throw on the next ones.

/** "<destination>#<step>" → calls. */
const calls = new Map<string, number>();
const failures = new Map<string, Error[]>();
/** Set: a revision call waits until it is aborted (and counts it). */
let waitForAbort = false;
const aborted = { count: 0 };

const answer = (value: unknown) => jsonAnswer(value);

const untilAborted = (options: LanguageModelV4CallOptions) =>
  new Promise<never>((_, reject) => {
    options.abortSignal?.addEventListener("abort", () => {
      aborted.count += 1;
      reject(options.abortSignal?.reason);
    });
  });

const model = streamingModel({
  async doGenerate(options) {
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("mock model: no task in the prompt");
    const key = `${task.trip.destination}#${promptStepId(task)}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    const failure = failures.get(key)?.shift();
    if (failure) throw failure;
    if (task.task !== "revise-day") return answer(demoAnswer(task));
    if (waitForAbort) await untilAborted(options);
    return answer({
      ...task.current,
      activities: task.current.activities.map((activity, index) =>
        index === 0 ? { ...activity, title: `Revised: ${task.instruction}` } : activity,
      ),
    });
  },
});

const unavailable = () =>
  new APICallError({ message: "down", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });

// --- The receiver.

const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
let answers: number[] = [];
const receiver = http.createServer((request, response) => {
  let body = "";
  request.on("data", (chunk: Buffer) => (body += chunk.toString()));
  request.on("end", () => {
    received.push({ headers: request.headers, body });
    response.statusCode = answers.shift() ?? 200;
    response.end();
  });
});
let callbackUrl = "";

function verified({ headers, body }: { headers: http.IncomingHttpHeaders; body: string }) {
  return new Webhook(SECRET).verify(body, {
    "webhook-id": String(headers["webhook-id"]),
    "webhook-timestamp": String(headers["webhook-timestamp"]),
    "webhook-signature": String(headers["webhook-signature"]),
  }) as UpdatedWebhookPayload;
}

// --- Jobs.

type Trip = { id: string; destination: string };
let trips = 0;

/** A trip generated through the endpoint, completed, with a callback URL. */
async function completedTrip(durationDays = 2): Promise<Trip> {
  trips += 1;
  const job = await insertItinerary({
    destination: `Revised ${trips}, Portugal`,
    durationDays,
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    interests: [],
    model: "mock model",
    requestHash: `revisions-inngest-${trips}`,
    callbackUrl,
  });
  const run = await executor.run(GENERATE, { name: "itinerary/requested", data: { id: job.id, runKey: job.id } });
  expect(run.status).toBe("completed");
  return { id: job.id, destination: job.destination };
}

const callsFor = ({ destination }: Trip) =>
  Object.fromEntries([...calls].filter(([key]) => key.startsWith(`${destination}#`)).map(([key, count]) => [key.slice(destination.length + 1), count]));

/** Asks for a revision as the API does; returns the event the app sent Inngest. */
async function askForRevision(trip: Trip, day: number, instruction: string): Promise<InngestEvent> {
  const { revision } = await requestRevision(trip.id, day, { instruction }, { idempotencyKey: null, caller: ANYONE_ON_AN_OPEN_SERVER });
  const sent = devServer.events.filter(
    (event) => event.name === "itinerary/day.revision-requested" && event.data.id === trip.id && event.data.day === day,
  );
  expect(sent.at(-1)).toEqual({
    name: "itinerary/day.revision-requested",
    id: `${trip.id}:day-${day}:revision-${revision}`,
    data: { id: trip.id, day, revision },
    ts: expect.any(Number),
  });
  return { name: sent.at(-1)!.name, data: sent.at(-1)!.data };
}

/** The distinct itinerary/updated events for a job (Inngest drops a re-sent event id). */
const updatedEvents = (trip: Trip) =>
  [...new Map(devServer.events.filter((event) => event.name === "itinerary/updated" && event.data.id === trip.id).map((event) => [event.id, event])).values()];

async function dayOf(trip: Trip, day: number) {
  const row = await findItineraryById({ id: trip.id });
  return { state: row?.dayStates[String(day)], plan: row?.itinerary?.find((entry) => entry.day === day) };
}

const bodiesRun = (requests: Array<{ ops: Op[] }>) =>
  requests.flatMap(({ ops }) => ops.filter((op) => /^Step(Run|Error|Failed)$/.test(op.op)).map((op) => op.displayName));

beforeAll(async () => {
  await createTestDatabase();
  setModelForTests({ model, label: "mock model", kind: "demo" });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
});

afterEach(() => {
  waitForAbort = false;
  answers = [];
  received.splice(0);
});

afterAll(async () => {
  await devServer.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe("revise-itinerary-day under @inngest/test", () => {
  it("lands revision 2 with exactly one model call and sends itinerary/updated; a re-sent event asks the model nothing", async () => {
    const trip = await completedTrip();
    const before = await dayOf(trip, 1);
    const event = await askForRevision(trip, 2, "more relaxed");

    const { result, error } = await new InngestTestEngine({ function: reviseItineraryDayFunction, events: [event] as never }).execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ landed: true });
    expect(callsFor(trip)["revise-day-2"]).toBe(1);
    const day = await dayOf(trip, 2);
    expect(day.state).toMatchObject({ revision: 2, state: "ready", pending: null });
    expect(day.plan?.activities[0]?.title).toBe("Revised: more relaxed");
    expect(await dayOf(trip, 1)).toEqual(before);
    expect(updatedEvents(trip)).toEqual([
      {
        name: "itinerary/updated",
        id: `${trip.id}:updated:day-2:revision-2:landed`,
        data: { id: trip.id, day: 2, revision: 2, outcome: "landed", at: expect.any(String) },
        ts: expect.any(Number),
      },
    ]);

    // The same event again (same job, day and revision): nothing to do, no model call, no second webhook.
    const again = await new InngestTestEngine({ function: reviseItineraryDayFunction, events: [event] as never }).execute();
    expect(again.error).toBeUndefined();
    expect(again.result).toEqual({ skipped: "already landed" });
    expect(callsFor(trip)["revise-day-2"]).toBe(1);
    expect(updatedEvents(trip)).toHaveLength(1);
    expect((await dayOf(trip, 2)).state).toMatchObject({ revision: 2, state: "ready" });
  });

  it("a revise step that fails once fails that attempt only; Inngest's retry lands it", async () => {
    const trip = await completedTrip();
    const event = await askForRevision(trip, 1, "no museums");
    failures.set(`${trip.destination}#revise-day-1`, [new Error("connection reset by the model")]);
    const engine = new InngestTestEngine({ function: reviseItineraryDayFunction, events: [event] as never });

    const first = await engine.executeStep("revise");
    expect(first.step).toMatchObject({ op: "StepError", error: { name: "LlmCallError" } });
    expect((await dayOf(trip, 1)).state).toMatchObject({ revision: 1, state: "revising" });

    const retry = await engine.execute();
    expect(retry.error).toBeUndefined();
    expect(retry.result).toMatchObject({ landed: true });
    expect(callsFor(trip)["revise-day-1"]).toBe(2);
    expect((await dayOf(trip, 1)).state).toMatchObject({ revision: 2, state: "ready" });
  });

  it("onFailure marks the day failed, saying why, keeps its plan, and announces it once", async () => {
    const trip = await completedTrip();
    const before = await dayOf(trip, 2);
    const event = await askForRevision(trip, 2, "swap the museum for a market");
    const onFailure = reviseItineraryDayFunction.opts.onFailure as unknown as (ctx: {
      event: { data: { event: typeof event } };
      error: unknown;
      step: { run: (id: string, fn: () => unknown) => unknown };
      attempt: number;
    }) => Promise<boolean>;
    const fail = async () => {
      const steps: string[] = [];
      const step = { run: (id: string, fn: () => unknown) => (steps.push(id), fn()) };
      const error = Object.assign(new Error("The language model is unavailable (HTTP 503)."), { name: "LlmCallError" });
      await onFailure({ event: { data: { event } }, error, step, attempt: 0 });
      return steps;
    };

    expect(await fail()).toEqual(["mark-failed", "notify"]);
    const day = await dayOf(trip, 2);
    expect(day.state).toMatchObject({ revision: 1, latest: 2, state: "failed", pending: null });
    expect(day.state?.error).toBe("The language model is unavailable (HTTP 503). We tried several times and gave up; please try again later.");
    expect(day.plan).toEqual(before.plan);
    expect(updatedEvents(trip).map((sent) => [sent.id, sent.data.outcome])).toEqual([
      [`${trip.id}:updated:day-2:revision-2:failed`, "failed"],
    ]);

    // Already marked: nothing to mark again, nothing announced again.
    expect(await fail()).toEqual(["mark-failed"]);
    expect(updatedEvents(trip)).toHaveLength(1);
  });
});

describe("revise-itinerary-day through the Inngest endpoint", () => {
  it("retries a failed revise step with Inngest's memo; the run lands the revision and notifies", async () => {
    const trip = await completedTrip();
    const event = await askForRevision(trip, 2, "later start");
    failures.set(`${trip.destination}#revise-day-2`, [unavailable()]);
    const run = await executor.run(REVISE, event);

    expect(run.status).toBe("completed");
    expect(run.output).toMatchObject({ landed: true });
    // The revise step fails its first attempt and Inngest retries it (attempt 1); once it is
    // memoized, the next request runs notify only, and the last finds both memoized.
    expect(run.requests.map(({ attempt, memo, ops }) => ({ attempt, memo, ops: ops.map((op) => `${op.op} ${op.displayName}`) }))).toEqual([
      { attempt: 0, memo: [], ops: ["StepError revise"] },
      { attempt: 1, memo: [], ops: ["StepRun revise"] },
      { attempt: 0, memo: ["revise"], ops: ["StepRun notify"] },
      { attempt: 0, memo: ["revise", "notify"], ops: [] },
    ]);
    expect(bodiesRun(run.requests)).toEqual(["revise", "revise", "notify"]);
    expect(callsFor(trip)["revise-day-2"]).toBe(2);
    expect((await dayOf(trip, 2)).state).toMatchObject({ revision: 2, state: "ready" });
    expect(updatedEvents(trip).map((sent) => sent.data.outcome)).toEqual(["landed"]);
  });

  it("a revision that keeps failing is tried JOB_MAX_ATTEMPTS (5) times; the failure function marks the day and keeps its plan", async () => {
    const trip = await completedTrip();
    const before = await dayOf(trip, 1);
    const event = await askForRevision(trip, 1, "a day at the beach");
    failures.set(`${trip.destination}#revise-day-1`, Array.from({ length: 6 }, unavailable));
    const run = await executor.run(REVISE, event);

    expect(run.status).toBe("failed");
    expect(callsFor(trip)["revise-day-1"]).toBe(5);
    expect(run.failure?.status).toBe("completed");
    const day = await dayOf(trip, 1);
    expect(day.state).toMatchObject({ revision: 1, state: "failed", pending: null });
    expect(day.state?.error).toMatch(/^The language model is unavailable \(HTTP 503\)\. We tried several times and gave up/);
    expect(day.plan).toEqual(before.plan);
    expect(updatedEvents(trip).map((sent) => [sent.id, sent.data.outcome])).toEqual([
      [`${trip.id}:updated:day-1:revision-2:failed`, "failed"],
    ]);
  });

  it("deleting the job mid-revision aborts the model call in flight, cancels the run, and nothing lands", async () => {
    const trip = await completedTrip();
    const event = await askForRevision(trip, 2, "more food");
    waitForAbort = true;
    const running = executor.run(REVISE, event);
    await vi.waitFor(() => expect(callsFor(trip)["revise-day-2"]).toBe(1));
    const abortedBefore = aborted.count;
    const deletedAt = performance.now();
    await deleteItinerary(trip.id, ANYONE_ON_AN_OPEN_SERVER);

    const run = await running;
    expect(performance.now() - deletedAt).toBeLessThan(1_500);
    expect(aborted.count).toBe(abortedBefore + 1);
    expect(run.requests.flatMap((request) => request.ops)).toMatchObject([{ op: "StepFailed", error: { name: "JobNotActiveError" } }]);
    // The delete sent the cancel event, which the function's cancelOn matches: the run ends
    // there, without its failure handler or a webhook.
    expect(run.status).toBe("cancelled");
    expect(run.cancelledBy).toMatchObject({ name: "itinerary/cancelled", data: { id: trip.id } });
    expect(evaluateExpression("event.data.id == async.data.id", { event, async: run.cancelledBy })).toBe(true);
    expect(run.failure).toBeUndefined();
    expect(await findItineraryById({ id: trip.id })).toBeNull();
    expect(callsFor(trip)["revise-day-2"]).toBe(1);
    expect(updatedEvents(trip)).toEqual([]);
  });
});

describe("the itinerary.updated webhook on the Inngest path", () => {
  it("the deliver function sends a signed itinerary.updated for a landed and for a failed revision", async () => {
    const trip = await completedTrip(3);
    await executor.run(REVISE, await askForRevision(trip, 1, "more relaxed"));
    failures.set(`${trip.destination}#revise-day-3`, Array.from({ length: 6 }, unavailable));
    await executor.run(REVISE, await askForRevision(trip, 3, "fewer stops"));
    const [landed, failed] = updatedEvents(trip);
    expect([landed?.data.outcome, failed?.data.outcome]).toEqual(["landed", "failed"]);

    for (const sent of [landed!, failed!]) {
      const run = await executor.run(DELIVER, { name: sent.name, data: sent.data });
      expect(run.status).toBe("completed");
      expect(run.output).toMatchObject({ outcome: "delivered", httpStatus: 200 });
    }
    const [first, second] = received.splice(0).map(verified);
    expect(first).toMatchObject({ type: "itinerary.updated", day: 1, revision: 2, outcome: "landed", timestamp: landed!.data.at });
    expect(first?.data.id).toBe(trip.id);
    expect(first?.data.days[0]).toMatchObject({ revision: 2, state: "ready", error: null });
    expect(second).toMatchObject({ type: "itinerary.updated", day: 3, revision: 2, outcome: "failed", timestamp: failed!.data.at });
    expect(second?.data.days[2]).toMatchObject({ revision: 1, state: "failed", error: expect.stringContaining("HTTP 503") });
  });

  it("keeps one webhook-id and one body through the receiver's failures", async () => {
    const trip = await completedTrip(1);
    await executor.run(REVISE, await askForRevision(trip, 1, "start later"));
    const [sent] = updatedEvents(trip);
    answers = [500, 503];
    const run = await executor.run(DELIVER, { name: sent!.name, data: sent!.data });
    expect(run.status).toBe("completed");
    const attempts = received.splice(0);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((attempt) => attempt.headers["webhook-id"])).size).toBe(1);
    expect(new Set(attempts.map((attempt) => attempt.body)).size).toBe(1);
    expect(verified(attempts[2]!)).toMatchObject({ type: "itinerary.updated", day: 1, revision: 2, outcome: "landed" });
  });
});
