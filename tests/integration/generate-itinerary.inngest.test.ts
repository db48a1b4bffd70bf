import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InngestTestEngine } from "@inngest/test";
import { APICallError } from "ai";
import { jsonAnswer, streamingModel } from "../helpers/streaming-model";
import type { LanguageModelV4GenerateResult } from "@ai-sdk/provider";
import { promptText } from "@/lib/llm/demo-model";
import { NonRetriableError, RetryAfterError } from "inngest";
import { resetEnvCache } from "@/lib/env";
import { setModelForTests } from "@/lib/llm/model";
import { parsePromptTask, promptStepId } from "@/lib/llm/prompts";
import { LlmCallError } from "@/lib/llm/errors";
import { JobNotActiveError, type OutlineStepResult } from "@/lib/workflow/generate-steps";
import { endItinerary, findItineraryById, insertItinerary, listDayRows } from "@/lib/db/queries/itineraries";
import { dayPlanSchema, outlineSchema, type TokenUsage } from "@/lib/domain/trip";
import { createTestDatabase } from "../helpers/database";
import { createInngestExecutor, startFakeDevServer, stepId, type Op } from "../helpers/inngest-executor";
import { fakeAnswer } from "../fixtures/fake-openai-server";

// The generation function with the real pipeline, the real database (in-memory PGlite) and a
// mock language model: run through the app's Inngest endpoint by a fake Inngest executor
// (one HTTP request per step, as Inngest sends them), or under @inngest/test's engine.

// The function module reads env() when it is imported (retries, concurrency) and the
// Inngest client is created at import time: pin the environment first, then import. Dev
// mode, pointed at a fake dev server, so the endpoint takes unsigned requests.
const devServer = await startFakeDevServer();
for (const key of ["JOB_MAX_ATTEMPTS", "LLM_CONCURRENCY", "JOB_RUNNER", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) {
  delete process.env[key];
}
process.env.INNGEST_DEV = devServer.url;
resetEnvCache();
const { generateItineraryFunction } = await import("@/inngest/functions/generate-itinerary");
const { onGenerateItineraryFailure } = await import("@/lib/workflow/generate");
const { dispatchItineraryEnded } = await import("@/lib/jobs/dispatch");
const executor = createInngestExecutor(await import("@/app/api/inngest/route"), devServer);

/** The function's composite id (app id + function id), as Inngest calls it. */
const GENERATE = "itinera-generate-itinerary";

// --- A mock model that answers from the task in the prompt and counts calls per step.

const usageFor = (key: string): { input: number; output: number } => {
  if (key === "outline") return { input: 100, output: 40 };
  if (key === "outline-details") return { input: 70, output: 30 };
  const day = Number(/^day-(\d+)$/.exec(key)?.[1]);
  if (!Number.isInteger(day)) throw new Error(`mock model: no usage for step ${key}`);
  return { input: 20 + day, output: 10 + day };
};

// Keyed by job (its destination) and step, so a straggler from one test never counts in
// another: "Lisbon 3, Portugal#day-2".
const modelCalls = new Map<string, number>();
/** "<destination>#<step>" → errors to throw on its next calls, in order. */
const scriptedFailures = new Map<string, Error[]>();

const model = streamingModel({
  async doGenerate(options): Promise<LanguageModelV4GenerateResult> {
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("mock model: no <trip_request> in the prompt");
    const step = promptStepId(task);
    const key = `${task.trip.destination}#${step}`;
    modelCalls.set(key, (modelCalls.get(key) ?? 0) + 1);
    const failure = scriptedFailures.get(key)?.shift();
    if (failure) throw failure;
    const { input, output } = usageFor(step);
    return jsonAnswer(fakeAnswer(task), { input: input, output: output });
  },
});

type Job = { destination: string };

/** Model calls per step for one job: { outline: 1, "day-1": 1, … }. */
function callsFor(job: Job): Record<string, number> {
  const prefix = `${job.destination}#`;
  return Object.fromEntries(
    [...modelCalls].filter(([key]) => key.startsWith(prefix)).map(([key, count]) => [key.slice(prefix.length), count]),
  );
}

function failNext(job: Job, step: string, ...errors: Error[]) {
  scriptedFailures.set(`${job.destination}#${step}`, errors);
}

function expectedUsage(days: number): TokenUsage {
  const keys = ["outline", "outline-details", ...Array.from({ length: days }, (_, index) => `day-${index + 1}`)];
  const inputTokens = keys.reduce((sum, key) => sum + usageFor(key).input, 0);
  const outputTokens = keys.reduce((sum, key) => sum + usageFor(key).output, 0);
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

let jobCounter = 0;
async function newJob(durationDays: number) {
  jobCounter += 1;
  return insertItinerary({
    destination: `Lisbon ${jobCounter}, Portugal`,
    durationDays,
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    model: "mock model",
    requestHash: `test-hash-${jobCounter}`,
  });
}

const requestedEvent = (id: string) => ({ name: "itinerary/requested", data: { id, runKey: id } });
const requested = (id: string) => [requestedEvent(id)] as [ReturnType<typeof requestedEvent>];

/** The steps whose bodies ran in these requests, in order: a body that ran reports its
 * result (StepRun) or its error (StepError, StepFailed); memoized steps report nothing. */
const bodiesRun = (requests: Array<{ ops: Op[] }>) =>
  requests.flatMap(({ ops }) => ops.filter((op) => /^Step(Run|Error|Failed)$/.test(op.op)).map((op) => op.displayName));

beforeAll(async () => {
  await createTestDatabase();
  setModelForTests({ model, label: "mock model", kind: "demo" });
});

afterAll(async () => {
  await devServer.close();
});

describe("a full run", () => {
  it("writes the outline, one row per day and a completed itinerary with usage", async () => {
    const job = await newJob(3);

    const run = await executor.run(GENERATE, requestedEvent(job.id));

    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ days: 3 });

    const row = await findItineraryById({ id: job.id });
    expect(row?.status).toBe("completed");
    expect(row?.progress).toBe(100);
    expect(row?.error).toBeNull();
    expect(row?.completedAt).toBeInstanceOf(Date);
    expect(outlineSchema.parse(row?.outline).title).toBe(`Fake trip to ${job.destination}`);
    expect(row?.outline?.days.map((entry) => entry.day)).toEqual([1, 2, 3]);
    expect(row?.itinerary?.map((plan) => dayPlanSchema.parse(plan).day)).toEqual([1, 2, 3]);
    // Each day keeps the theme the outline gave it.
    expect(row?.itinerary?.map((plan) => plan.theme)).toEqual(row?.outline?.days.map((entry) => entry.theme));
    // The details were written beside the days: the stored outline is whole (the parse
    // above needs its summary, tips, time zone and centre).
    expect(row?.outline?.summary).toMatch(/\w/);
    // Usage adds up the outline, its details and every day, each counted once.
    expect(row?.usage).toEqual(expectedUsage(3));

    const days = await listDayRows({ itineraryId: job.id });
    expect(days.map((day) => day.day)).toEqual([1, 2, 3]);
    expect(days.every((day) => day.plan.activities.length > 0)).toBe(true);

    // Every step ran once, the details and the days each in a request of their own: one
    // model call each.
    expect(bodiesRun(run.requests)).toEqual(["outline", "outline-details", "day-1", "day-2", "day-3", "finalize", "notify"]);
    expect(callsFor(job)).toEqual({ outline: 1, "outline-details": 1, "day-1": 1, "day-2": 1, "day-3": 1 });
  });
});

describe("retrying a failed day", () => {
  it("re-runs only the failed day; finished steps come from Inngest's memoized state", async () => {
    const job = await newJob(3);
    failNext(job, "day-2", new Error("connection reset by the model"));
    // What the job looked like when Inngest came back to retry day 2.
    let midway: { status?: string; progress?: number; days: number[]; calls: Record<string, number> } | undefined;
    const run = await executor.run(GENERATE, requestedEvent(job.id), {
      async beforeRequest({ step, attempt }) {
        if (step !== "day-2" || attempt !== 1) return;
        const row = await findItineraryById({ id: job.id });
        const days = (await listDayRows({ itineraryId: job.id })).map((day) => day.day);
        midway = { status: row?.status, progress: row?.progress, days, calls: callsFor(job) };
      },
    });

    // Request 1: the outline step (the only step there is at first) runs at once.
    const [first, second] = run.requests;
    expect(first?.ops.map((op) => [op.op, op.id])).toEqual([["StepRun", stepId("outline")]]);
    expect((first?.ops[0]?.data as OutlineStepResult).days).toEqual([1, 2, 3]);
    // Request 2: with the outline memoized, the function reports the outline's details and
    // the three day steps, which Inngest then runs in parallel, one request each.
    expect(second?.memo).toEqual(["outline"]);
    expect(second?.ops.map((op) => [op.op, op.id])).toEqual([
      ["StepPlanned", stepId("outline-details")],
      ...[1, 2, 3].map((day) => ["StepPlanned", stepId(`day-${day}`)]),
    ]);

    // Day 2 failed with a retriable error; days 1 and 3 are stored; the job is still running.
    const dayTwo = run.requests.filter((request) => request.step === "day-2");
    expect(dayTwo.map((request) => request.attempt)).toEqual([0, 1]);
    expect(dayTwo[0]?.ops).toMatchObject([
      { op: "StepError", error: { name: "LlmCallError", message: "The language model call failed unexpectedly." } },
    ]);
    expect(midway).toEqual({
      status: "processing",
      progress: 10 + Math.floor((80 * 2) / 3),
      days: [1, 3],
      calls: { outline: 1, "outline-details": 1, "day-1": 1, "day-2": 1, "day-3": 1 },
    });

    // The retry: Inngest calls day 2 again (attempt 1) with the outline, its details, day 1
    // and day 3 memoized, and only day 2 runs; then finalize and notify.
    expect(dayTwo[1]?.memo.toSorted()).toEqual(["day-1", "day-3", "outline", "outline-details"]);
    expect(dayTwo[1]?.ops).toMatchObject([{ op: "StepRun", id: stepId("day-2") }]);
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ days: 3 });

    // Finished steps did not run again: no body, no model call. Day 2 called the model twice.
    expect(bodiesRun(run.requests)).toEqual(["outline", "outline-details", "day-1", "day-2", "day-3", "day-2", "finalize", "notify"]);
    expect(callsFor(job)).toEqual({ outline: 1, "outline-details": 1, "day-1": 1, "day-2": 2, "day-3": 1 });

    const row = await findItineraryById({ id: job.id });
    expect(row?.status).toBe("completed");
    expect(row?.progress).toBe(100);
    expect(row?.itinerary?.map((plan) => plan.day)).toEqual([1, 2, 3]);
    // The failed attempt used no tokens we know of; the total counts each step once.
    expect(row?.usage).toEqual(expectedUsage(3));
  });

  it("re-runs only the outline's details when they fail; the days are not asked again", async () => {
    const job = await newJob(2);
    failNext(job, "outline-details", new Error("connection reset by the model"));
    const run = await executor.run(GENERATE, requestedEvent(job.id));

    const details = run.requests.filter((request) => request.step === "outline-details");
    expect(details.map((request) => `${request.attempt}:${request.ops[0]?.op}`)).toEqual(["0:StepError", "1:StepRun"]);
    expect(details[1]?.memo).toContain("outline");
    expect(run.status).toBe("completed");
    expect(bodiesRun(run.requests).toSorted()).toEqual(
      ["outline", "outline-details", "outline-details", "day-1", "day-2", "finalize", "notify"].toSorted(),
    );
    expect(callsFor(job)).toEqual({ outline: 1, "outline-details": 2, "day-1": 1, "day-2": 1 });

    const row = await findItineraryById({ id: job.id });
    expect(row?.status).toBe("completed");
    expect(outlineSchema.safeParse(row?.outline).success).toBe(true);
    expect(row?.usage).toEqual(expectedUsage(2));
  });

  it("executeStep runs one step: the outline, without touching the days", async () => {
    const job = await newJob(2);
    const t = new InngestTestEngine({ function: generateItineraryFunction, events: requested(job.id) });
    const { result, error } = await t.executeStep("outline");
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ days: [1, 2], usage: { inputTokens: 100, outputTokens: 40 } });
    expect(callsFor(job)).toEqual({ outline: 1 });
    const row = await findItineraryById({ id: job.id });
    expect(row?.status).toBe("processing");
    expect(row?.progress).toBe(10);
    expect(await listDayRows({ itineraryId: job.id })).toHaveLength(0);
  });

  it("a fatal model error fails the step for good (no retry), and the job with it", async () => {
    const job = await newJob(1);
    failNext(
      job,
      "outline",
      new APICallError({
        message: "Incorrect API key sk-secret-in-the-message",
        url: "https://api.openai.com/v1/responses",
        requestBodyValues: {},
        statusCode: 401,
        responseBody: '{"error":{"message":"Incorrect API key sk-secret"}}',
        isRetryable: false,
      }),
    );
    const run = await executor.run(GENERATE, requestedEvent(job.id));

    // The first attempt reports the step failed for good (StepFailed, not StepError).
    const [step] = run.requests[0]?.ops ?? [];
    expect(step?.op).toBe("StepFailed");
    expect(step?.error?.name).toBe("NonRetriableError");
    expect(step?.error?.message).toMatch(/OPENAI_API_KEY/);
    // Neither the provider's body nor its message (a cause Inngest would keep) goes out.
    expect(JSON.stringify(run)).not.toContain("sk-secret");
    // Nothing was retried: one attempt, one model call.
    expect(run.requests.map((request) => request.attempt)).toEqual(run.requests.map(() => 0));
    expect(callsFor(job)).toEqual({ outline: 1 });

    // The run failed, and the failure function Inngest then runs failed the job, saying why.
    expect(run.status).toBe("failed");
    expect(run.failure?.status).toBe("completed");
    const row = await findItineraryById({ id: job.id });
    expect(row?.status).toBe("failed");
    expect(row?.error).toMatch(/OPENAI_API_KEY/);
    expect(row?.error).not.toContain("sk-secret");
  });

  it("a day that keeps failing is tried JOB_MAX_ATTEMPTS (5) times, then the job fails", async () => {
    const job = await newJob(2);
    failNext(job, "day-1", ...Array.from({ length: 6 }, () => new Error("connection reset by the model")));
    const run = await executor.run(GENERATE, requestedEvent(job.id));

    // Attempts 0–3 are retriable (StepError); the fifth, the last, fails the step for good.
    const dayOne = run.requests.filter((request) => request.step === "day-1");
    expect(dayOne.map((request) => `${request.attempt}:${request.ops[0]?.op}`)).toEqual([
      "0:StepError",
      "1:StepError",
      "2:StepError",
      "3:StepError",
      "4:StepFailed",
    ]);
    expect(callsFor(job)).toEqual({ outline: 1, "outline-details": 1, "day-1": 5, "day-2": 1 });

    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ name: "LlmCallError" });
    expect(run.failure?.status).toBe("completed");
    const row = await findItineraryById({ id: job.id });
    expect(row?.status).toBe("failed");
    expect(row?.error).toBe(
      "The language model call failed unexpectedly. We tried several times and gave up; please try again later.",
    );
  });
});

describe("when a job runs out of attempts", () => {
  async function failedWith(error: unknown) {
    const job = await newJob(2);
    const changed = await onGenerateItineraryFailure({ id: job.id, error, announceEnded: dispatchItineraryEnded });
    return { changed, row: await findItineraryById({ id: job.id }) };
  }

  it("a NonRetriableError fails the job with its own message", async () => {
    const { changed, row } = await failedWith(
      new NonRetriableError("The language model refused our credentials (HTTP 401). The operator should check OPENAI_API_KEY."),
    );
    expect(changed).toBe(true);
    expect(row?.status).toBe("failed");
    expect(row?.error).toBe(
      "The language model refused our credentials (HTTP 401). The operator should check OPENAI_API_KEY.",
    );
    expect(row?.completedAt).toBeInstanceOf(Date);
  });

  it("an LlmCallError fails the job saying we tried several times", async () => {
    const { changed, row } = await failedWith(new LlmCallError("The language model is unavailable (HTTP 503)."));
    expect(changed).toBe(true);
    expect(row?.status).toBe("failed");
    expect(row?.error).toBe(
      "The language model is unavailable (HTTP 503). We tried several times and gave up; please try again later.",
    );
  });

  it("a RetryAfterError (rate limited to the end) is explained too", async () => {
    const { row } = await failedWith(new RetryAfterError("The language model is rate limiting requests (HTTP 429).", 5000));
    expect(row?.status).toBe("failed");
    expect(row?.error).toMatch(/^The language model is rate limiting requests \(HTTP 429\)\. We tried several times/);
  });

  it("errors as Inngest hands them over (plain Errors with the original name) read the same", async () => {
    const revived = Object.assign(new Error("The language model did not answer in time."), { name: "LlmCallError" });
    const { row } = await failedWith(revived);
    expect(row?.error).toBe(
      "The language model did not answer in time. We tried several times and gave up; please try again later.",
    );
  });

  it("an unknown error never shows its internals", async () => {
    const { row } = await failedWith(new Error("relation \"itineraries\" does not exist at 10.0.0.5"));
    expect(row?.status).toBe("failed");
    expect(row?.error).toBe("Something went wrong while generating this itinerary. Please try again.");
  });

  it("a JobNotActiveError does not flip the job to failed", async () => {
    const job = await newJob(2);
    expect(await onGenerateItineraryFailure({ id: job.id, error: new JobNotActiveError(job.id, "cancelled"), announceEnded: dispatchItineraryEnded })).toBe(false);
    // As Inngest hands it over: a plain Error carrying the name.
    const revived = Object.assign(new Error("Itinerary is cancelled; nothing more to do."), { name: "JobNotActiveError" });
    expect(await onGenerateItineraryFailure({ id: job.id, error: revived, announceEnded: dispatchItineraryEnded })).toBe(false);
    const row = await findItineraryById({ id: job.id });
    expect(row?.status).toBe("processing");
    expect(row?.error).toBeNull();
  });

  it("a job that was already cancelled stays cancelled", async () => {
    const job = await newJob(2);
    expect(await endItinerary({ id: job.id, status: "cancelled", error: null })).toBe(true);
    expect(await onGenerateItineraryFailure({ id: job.id, error: new LlmCallError("The language model is unavailable (HTTP 500)."), announceEnded: dispatchItineraryEnded })).toBe(false);
    const row = await findItineraryById({ id: job.id });
    expect(row?.status).toBe("cancelled");
    expect(row?.error).toBeNull();
  });

  it("a job that already completed stays completed", async () => {
    const job = await newJob(1);
    const { error } = await new InngestTestEngine({ function: generateItineraryFunction, events: requested(job.id) }).execute();
    expect(error).toBeUndefined();
    expect(await onGenerateItineraryFailure({ id: job.id, error: new NonRetriableError("late failure"), announceEnded: dispatchItineraryEnded })).toBe(false);
    expect((await findItineraryById({ id: job.id }))?.status).toBe("completed");
  });
});
