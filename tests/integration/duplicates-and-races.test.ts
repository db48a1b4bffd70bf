import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { InngestTestEngine, mockCtx } from "@inngest/test";

// Before any app module reads the environment: the in-process runner, fast backoff, and an
// LLM timeout far longer than any test waits, so an early end can only come from a cancel.
vi.hoisted(() => {
  process.env.JOB_RUNNER = "local";
  process.env.JOB_RETRY_BASE_MS = "5";
  process.env.JOB_MAX_ATTEMPTS = "3";
  process.env.LLM_TIMEOUT_MS = "10000";
  process.env.LLM_CONCURRENCY = "20";
  for (const key of ["INNGEST_DEV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) delete process.env[key];
});

import { env, parseEnv, resetEnvCache } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { generateItineraryFunction } from "@/inngest/functions/generate-itinerary";
import { onGenerateItineraryFailure } from "@/lib/workflow/generate";
import { findItineraryById, insertItinerary, listDayRows } from "@/lib/db/queries/itineraries";
import { loadStepOutputs } from "@/lib/db/queries/steps";
import { cancelItinerary } from "@/lib/itineraries/commands";
import { dispatchItineraryEnded } from "@/lib/jobs/dispatch";
import { createGenerationRunner, localRunner } from "@/lib/jobs/local-functions";
import { chooseModel, setModelForTests } from "@/lib/llm/model";
import { promptStepId } from "@/lib/llm/prompts";
import { createTestDatabase } from "../helpers/database";
import { ANYONE_ON_AN_OPEN_SERVER } from "../helpers/owners";
import { startFakeOpenAIServer, type FakeOpenAICall, type FakeOpenAIServer } from "../fixtures/fake-openai-server";

// A job asked for twice must cost one job; a cancel must win every race it can win and lose
// the one it cannot (after completion) loudly. Real pipeline, real @ai-sdk/openai provider
// against a fake OpenAI server, in-memory PGlite.

let fake: FakeOpenAIServer;
const destinations = new Map<string, string>();

const stepOf = (call: FakeOpenAICall) =>
  call.task === null ? "?" : promptStepId(call.task);

/** This job's model calls at the fake server (each job has its own destination). */
const callsOf = (id: string) => fake.calls.filter((call) => call.task?.trip.destination === destinations.get(id));

function callCounts(id: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of callsOf(id)) counts[stepOf(call)] = (counts[stepOf(call)] ?? 0) + 1;
  return counts;
}

/** One call per step: the outline, its details and each day. */
const expectedCounts = (days: number) =>
  Object.fromEntries([
    ["outline", 1],
    ["outline-details", 1],
    ...Array.from({ length: days }, (_, index) => [`day-${index + 1}`, 1]),
  ]);

/** A second "process": a runner wired like lib/jobs/runner.ts, sharing only the database. */
function makeRunner() {
  return createGenerationRunner();
}

async function newJob(durationDays: number) {
  const destination = `Racetown ${destinations.size + 1}, Nowhere`;
  const job = await insertItinerary({
    status: "processing",
    destination,
    durationDays,
    startDate: null,
    interests: [],
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    model: "openai-compatible:gpt-5-mini",
    requestHash: `races-${destination}`,
  });
  destinations.set(job.id, destination);
  return job.id;
}

const dayRows = (id: string) => listDayRows({ itineraryId: id });
const dayNumbers = async (id: string) => (await dayRows(id)).map((row) => row.day);

/**
 * One body per step id per execution, as Inngest runs it. @inngest/test's execute()
 * re-dispatches pending parallel steps and so can run a day's body twice, even after it
 * returns (see tests/integration/generate-itinerary.inngest.test.ts); a straggler's model call
 * would then land inside the next execution and blur what we count.
 */
function oncePerStep() {
  const bodies = new Map<string, Promise<unknown>>();
  const transformCtx = (raw: Parameters<typeof mockCtx>[0]) => {
    const ctx = mockCtx(raw);
    const run = raw.step.run;
    const once = (id: string, fn: () => unknown) => {
      if (!bodies.has(id)) bodies.set(id, Promise.resolve().then(fn));
      return bodies.get(id);
    };
    const step = { ...ctx.step, run: (id: string, fn: () => unknown) => run(id, () => once(id, fn)) };
    return { ...ctx, step } as typeof ctx;
  };
  return { transformCtx, settled: () => Promise.allSettled(bodies.values()) };
}

/** Everything a second run could disturb: the row, the day rows, the memoized steps. */
async function snapshot(id: string) {
  return {
    job: await findItineraryById({ id }),
    days: await dayRows(id),
    steps: [...(await loadStepOutputs({ jobId: id })).keys()].sort(),
  };
}

beforeAll(async () => {
  resetEnvCache();
  expect(env()).toMatchObject({ JOB_MAX_ATTEMPTS: 3, LLM_TIMEOUT_MS: 10_000 });
  await createTestDatabase();
  fake = await startFakeOpenAIServer();
  setModelForTests(chooseModel(parseEnv({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: fake.url, LLM_API: "responses" })));
});

afterEach(async () => {
  await localRunner().drain();
  fake.setReply();
});

afterAll(async () => {
  setModelForTests(undefined);
  await fake?.close();
});

describe("a job asked for twice", () => {
  it("local runner: two concurrent starts and a later second runner give one run's effects", async () => {
    const id = await newJob(3);
    const runner = makeRunner();
    const [first, second] = await Promise.all([runner.start({ id: id }), runner.start({ id: id })]);
    expect([first, second]).toEqual(["completed", "completed"]);
    expect(callCounts(id)).toEqual(expectedCounts(3));
    const done = await snapshot(id);
    expect(done.job).toMatchObject({ status: "completed", progress: 100, error: null });
    expect(done.job?.completedAt).toBeInstanceOf(Date);
    expect(done.days.map((row) => row.day)).toEqual([1, 2, 3]);

    // Another process (say, a restart's resumeUnfinishedJobs racing a retry) starts it again.
    expect(await makeRunner().start({ id: id })).toBe("completed");
    expect(callCounts(id)).toEqual(expectedCounts(3));
    expect(await snapshot(id)).toEqual(done); // completedAt, updatedAt, days: all untouched
  });

  it("Inngest: the function dedupes on the job id", () => {
    expect(generateItineraryFunction.opts.idempotency).toBe("event.data.runKey");
  });

  it("Inngest: the same event delivered twice calls the model and writes rows only once", async () => {
    const id = await newJob(2);
    const events = [{ name: "itinerary/requested", data: { id, runKey: id } }] as [{ name: string; data: { id: string; runKey: string } }];
    const delivery = () => {
      const steps = oncePerStep();
      const engine = new InngestTestEngine({ function: generateItineraryFunction, events, transformCtx: steps.transformCtx });
      return engine.execute().finally(steps.settled);
    };
    const first = await delivery();
    expect(first.error).toBeUndefined();
    expect(first.result).toEqual({ days: 2 });
    expect(callCounts(id)).toEqual(expectedCounts(2));
    const done = await snapshot(id);
    expect(done.job?.status).toBe("completed");
    expect(done.days.map((row) => row.day)).toEqual([1, 2]);

    // A duplicate delivery: a fresh execution with no memoized step state.
    const second = await delivery();
    expect(callCounts(id)).toEqual(expectedCounts(2));
    expect(await snapshot(id)).toEqual(done);
    // It ends quietly (no failed run in the dashboard), reporting what it found.
    expect(second.error).toBeUndefined();
    expect(second.result).toEqual({ skipped: "completed" });
    // Should a delivery still fail later on, the failure handler leaves the job alone.
    expect(await onGenerateItineraryFailure({ id, error: new Error("late failure"), announceEnded: dispatchItineraryEnded })).toBe(false);
    expect(await snapshot(id)).toEqual(done);
  });
});

describe("cancellation races", () => {
  it("cancel before the runner starts: no model call, stays cancelled", async () => {
    const id = await newJob(2);
    expect((await cancelItinerary(id, ANYONE_ON_AN_OPEN_SERVER)).job.status).toBe("cancelled");
    await localRunner().start({ id: id });
    expect(callsOf(id)).toHaveLength(0);
    // Only the outline step ran, and it recorded that the job had ended.
    expect(await snapshot(id)).toMatchObject({ job: { status: "cancelled", error: null, itinerary: null }, days: [], steps: ["outline"] });
  });

  it("cancel during the day steps: in-flight calls are aborted, nothing lands afterwards", async () => {
    const id = await newJob(4);
    // Days 2–4 and the outline's details hang.
    fake.setReply((call) =>
      (call.task?.task === "day" && call.task.day > 1) || call.task?.task === "outline-details" ? { kind: "hang" } : undefined,
    );
    const outcome = localRunner().start({ id: id });
    const hanging = () => callsOf(id).filter((call) => stepOf(call) !== "day-1" && stepOf(call) !== "outline");
    await vi.waitFor(async () => {
      expect(await dayNumbers(id)).toEqual([1]);
      expect(hanging().filter((call) => call.finishedAt === undefined)).toHaveLength(4);
    });

    const cancelledAt = Date.now();
    expect((await cancelItinerary(id, ANYONE_ON_AN_OPEN_SERVER)).job.status).toBe("cancelled");
    expect(await outcome).toBe("cancelled");
    expect(Date.now() - cancelledAt).toBeLessThan(1000); // not the 10 s LLM timeout

    // The fake server saw each in-flight request closed by the client, right after the cancel.
    await vi.waitFor(() => expect(hanging().every((call) => call.finishedAt !== undefined)).toBe(true));
    for (const call of hanging()) {
      expect(call.aborted).toBe(true);
      expect(call.finishedAt! - cancelledAt).toBeLessThan(1000);
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // room for a straggling write
    const after = await snapshot(id);
    expect(after.job).toMatchObject({ status: "cancelled", error: null, itinerary: null });
    expect(after.job?.outline?.summary).toBeUndefined();
    expect(after.days.map((row) => row.day)).toEqual([1]);
    expect(after.steps).toEqual(["day-1", "outline"]);
    expect(callCounts(id)).toEqual(expectedCounts(4)); // no retries after the cancel
  });

  it("cancel while waiting out a 429's retry-after: no further attempt", async () => {
    const id = await newJob(2);
    fake.setReply((call) => (stepOf(call) === "day-2" ? { kind: "http", status: 429, headers: { "retry-after": "5" } } : undefined));
    const outcome = localRunner().start({ id: id });
    await vi.waitFor(async () => {
      expect(await dayNumbers(id)).toEqual([1]);
      expect(callCounts(id)["day-2"]).toBe(1);
    });
    const cancelledAt = Date.now();
    await cancelItinerary(id, ANYONE_ON_AN_OPEN_SERVER);
    expect(await outcome).toBe("cancelled");
    expect(Date.now() - cancelledAt).toBeLessThan(1000);
    expect(callCounts(id)).toEqual(expectedCounts(2));
    expect((await findItineraryById({ id }))?.status).toBe("cancelled");
  });

  it("a day (and the outline's details) finishing after the cancel does not bring the job back", async () => {
    const id = await newJob(3);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fake.setReply((call) =>
      (call.task?.task === "day" && call.task.day > 1) || call.task?.task === "outline-details"
        ? { kind: "delay", until: gate }
        : undefined,
    );
    // Run by another process's runner: the service's cancel cannot reach it, only the row.
    const outcome = makeRunner().start({ id: id });
    await vi.waitFor(async () => {
      expect(await dayNumbers(id)).toEqual([1]);
      expect(callsOf(id)).toHaveLength(5);
    });
    const { job: cancelled } = await cancelItinerary(id, ANYONE_ON_AN_OPEN_SERVER);
    expect(cancelled.status).toBe("cancelled");

    release();
    expect(await outcome).not.toBe("completed");
    // The late answers really arrived (not aborted), and were thrown away.
    const late = callsOf(id).filter((call) => ["day-2", "day-3", "outline-details"].includes(stepOf(call)));
    expect(late.map((call) => call.aborted ?? false)).toEqual([false, false, false]);
    const after = await snapshot(id);
    expect(after.job).toMatchObject({ status: "cancelled", error: null, itinerary: null, completedAt: cancelled.completedAt });
    expect(after.job?.outline?.summary).toBeUndefined();
    expect(after.job?.usage).toEqual(cancelled.usage);
    expect(after.job?.progress).toBe(cancelled.progress);
    expect(after.days.map((row) => row.day)).toEqual([1]);
    expect(after.steps).not.toContain("finalize");
    expect(callCounts(id)).toEqual(expectedCounts(3)); // not retried either
  });

  it("cancel after completion is a 409 conflict and the itinerary stays completed", async () => {
    const id = await newJob(2);
    expect(await localRunner().start({ id: id })).toBe("completed");
    const done = await snapshot(id);

    const error = await cancelItinerary(id, ANYONE_ON_AN_OPEN_SERVER).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "conflict", status: 409, message: "This itinerary is already completed." });
    expect(await snapshot(id)).toEqual(done);
  });
});
