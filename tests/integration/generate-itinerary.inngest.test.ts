import { beforeAll, describe, expect, it } from "vitest";
import { InngestTestEngine, mockCtx } from "@inngest/test";
import { APICallError } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import type { LanguageModelV3GenerateResult } from "@ai-sdk/provider";
import { promptText } from "@/lib/llm/demo-model";
import { NonRetriableError, RetryAfterError } from "inngest";
import { InngestExecutionEngine } from "inngest/internals";
import { resetEnvCache } from "@/lib/env";
import { setModelForTests } from "@/lib/llm/model";
import { parsePromptTask } from "@/lib/llm/prompts";
import { LlmCallError } from "@/lib/llm/errors";
import { JobNotActiveError, type DayStepResult, type OutlineStepResult } from "@/lib/workflow/generate-steps";
import { endItinerary, findItineraryById, insertItinerary, listDayRows } from "@/lib/db/queries/itineraries";
import { dayPlanSchema, outlineSchema, type TokenUsage } from "@/lib/domain/trip";
import { createTestDatabase } from "../helpers/database";
import { fakeAnswer } from "../fixtures/fake-openai-server";

// The Inngest function under @inngest/test's engine, with the real pipeline, the real
// database (in-memory PGlite) and a mock language model.

// The function module reads env() when it is imported (retries, concurrency) and the
// Inngest client is created at import time: pin the environment first, then import.
for (const key of ["JOB_MAX_ATTEMPTS", "LLM_CONCURRENCY", "INNGEST_DEV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) {
  delete process.env[key];
}
resetEnvCache();
const { generateItineraryFunction } = await import("@/inngest/functions/generate-itinerary");
const { onGenerateItineraryFailure } = await import("@/lib/workflow/generate");
const { dispatchItineraryEnded } = await import("@/lib/jobs/dispatch");

// --- A mock model that answers from the task in the prompt and counts calls per step.

const usageFor = (key: string): { input: number; output: number } =>
  key === "outline" ? { input: 100, output: 40 } : { input: 20 + Number(key.slice(4)), output: 10 + Number(key.slice(4)) };

// Keyed by job (its destination) and step, so a straggler from one test never counts in
// another: "Lisbon 3, Portugal#day-2".
const modelCalls = new Map<string, number>();
/** "<destination>#<step>" → errors to throw on its next calls, in order. */
const scriptedFailures = new Map<string, Error[]>();

const model = new MockLanguageModelV3({
  async doGenerate(options): Promise<LanguageModelV3GenerateResult> {
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("mock model: no <trip_request> in the prompt");
    const step = task.task === "outline" ? "outline" : `day-${task.day}`;
    const key = `${task.trip.destination}#${step}`;
    modelCalls.set(key, (modelCalls.get(key) ?? 0) + 1);
    const failure = scriptedFailures.get(key)?.shift();
    if (failure) throw failure;
    const { input, output } = usageFor(step);
    return {
      content: [{ type: "text", text: JSON.stringify(fakeAnswer(task)) }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: {
        inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: output, text: output, reasoning: 0 },
      },
      warnings: [],
    };
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
  const keys = ["outline", ...Array.from({ length: days }, (_, index) => `day-${index + 1}`)];
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

const requested = (id: string) => [{ name: "itinerary/requested", data: { id, runKey: id } }] as [
  { name: string; data: { id: string; runKey: string } },
];

/** Step ids as Inngest sees them (the engine hashes the ids we give to step.run). */
const hashed = (stepId: string) => InngestExecutionEngine._internals.hashId(stepId);

/** Counts how often each step's body really ran (memoized steps do not run their body). */
function countingCtx(bodies: string[]) {
  return (raw: Parameters<typeof mockCtx>[0]) => {
    const ctx = mockCtx(raw);
    const run = raw.step.run;
    return {
      ...ctx,
      step: {
        ...ctx.step,
        run: (id: string, fn: () => unknown) =>
          run(id, () => {
            bodies.push(id);
            return fn();
          }),
      },
    } as typeof ctx;
  };
}

/**
 * One execution = one HTTP request from Inngest to our serve handler: run the function once
 * with the memoized `steps`, optionally asking for one step (`targetStepId`), and report the
 * single checkpoint it reached. `individualExecution` is the engine's own (protected)
 * primitive; `execute()`/`executeStep()` chain many of these and, for parallel steps,
 * re-dispatch every pending step from every branch, which runs a step's body more than once
 * and makes step-level counting nondeterministic. Inngest itself runs each parallel step in
 * its own request, which is what this models.
 */
class RequestEngine extends InngestTestEngine {
  request(options: InngestTestEngine.InlineOptions) {
    return this.individualExecution(options);
  }
}

type Checkpoint = Awaited<ReturnType<RequestEngine["request"]>>["result"];
interface RanStep {
  id: string;
  op: string;
  data?: unknown;
  error?: { name?: string; message?: string };
}

// The checkpoint type is an Omit<> over a union, so TypeScript cannot narrow it by `type`.
function ranStep(checkpoint: Checkpoint): RanStep {
  expect(checkpoint.type).toBe("step-ran");
  return (checkpoint as unknown as { step: RanStep }).step;
}

function foundStepIds(checkpoint: Checkpoint): string[] {
  expect(checkpoint.type).toBe("steps-found");
  return (checkpoint as unknown as { steps: Array<{ id: string }> }).steps.map((step) => step.id);
}

beforeAll(async () => {
  await createTestDatabase();
  setModelForTests({ model, label: "mock model", kind: "demo" });
});


describe("a full run", () => {
  it("writes the outline, one row per day and a completed itinerary with usage", async () => {
    const job = await newJob(3);
    const t = new InngestTestEngine({ function: generateItineraryFunction, events: requested(job.id) });

    const { result, error } = await t.execute();

    expect(error).toBeUndefined();
    expect(result).toEqual({ days: 3 });

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
    // Usage adds up the outline and every day, each counted once.
    expect(row?.usage).toEqual(expectedUsage(3));

    const days = await listDayRows({ itineraryId: job.id });
    expect(days.map((day) => day.day)).toEqual([1, 2, 3]);
    expect(days.every((day) => day.plan.activities.length > 0)).toBe(true);

    // The outline is written once. (Days: @inngest/test re-dispatches pending parallel steps,
    // so a day body can run more than once here; see RequestEngine. planDay still stores
    // exactly one row per day, as checked above.)
    const counts = callsFor(job);
    expect(counts.outline).toBe(1);
    for (const day of [1, 2, 3]) expect(counts[`day-${day}`]).toBeGreaterThanOrEqual(1);
  });
});

describe("retrying a failed day", () => {
  it("re-runs only the failed day; finished steps come from Inngest's memoized state", async () => {
    const job = await newJob(3);
    failNext(job, "day-2", new Error("connection reset by the model"));
    const bodies: string[] = [];
    const engine = new RequestEngine({
      function: generateItineraryFunction,
      events: requested(job.id),
      transformCtx: countingCtx(bodies),
    });

    // Request 1: the outline step (the only step there is at first) runs at once.
    const outlineStep = ranStep((await engine.request({})).result);
    expect(outlineStep.id).toBe(hashed("outline"));
    const outline = outlineStep.data as OutlineStepResult;
    expect(outline.days).toEqual([1, 2, 3]);
    const memo = (id: string, data: unknown) => ({ id, handler: () => data });

    // Request 2: with the outline memoized, the function reports the three day steps,
    // which Inngest then runs in parallel, one request each.
    const second = await engine.request({ steps: [memo("outline", outline)] });
    expect(foundStepIds(second.result)).toEqual([1, 2, 3].map((day) => hashed(`day-${day}`)));

    const dayResults = new Map<number, RanStep>();
    for (const day of [1, 2, 3]) {
      const ran = await engine.request({
        steps: [memo("outline", outline)],
        targetStepId: hashed(`day-${day}`),
        disableImmediateExecution: true,
      });
      dayResults.set(day, ranStep(ran.result));
    }

    // Day 2 failed with a retriable error; days 1 and 3 are stored; the job is still running.
    const failed = dayResults.get(2)!;
    expect(failed.op).toBe("StepError"); // retriable, not StepFailed
    expect(failed.error).toMatchObject({
      name: "LlmCallError",
      message: "The language model call failed unexpectedly.",
    });
    const midway = await findItineraryById({ id: job.id });
    expect(midway?.status).toBe("processing");
    expect((await listDayRows({ itineraryId: job.id })).map((row) => row.day)).toEqual([1, 3]);
    expect(midway?.progress).toBe(10 + Math.floor((80 * 2) / 3));
    expect(callsFor(job)).toEqual({ outline: 1, "day-1": 1, "day-2": 1, "day-3": 1 });
    expect(bodies.sort()).toEqual(["day-1", "day-2", "day-3", "outline"]);

    // The retry: Inngest calls the function again with the outline, day 1 and day 3 memoized.
    // Only day 2 is new, so the public execute() runs day 2, then finalize, deterministically.
    bodies.length = 0;
    const retry = new InngestTestEngine({
      function: generateItineraryFunction,
      events: requested(job.id),
      transformCtx: countingCtx(bodies),
      steps: [
        memo("outline", outline),
        memo("day-1", dayResults.get(1)!.data as DayStepResult),
        memo("day-3", dayResults.get(3)!.data as DayStepResult),
      ],
    });
    const { result, error } = await retry.execute();
    expect(error).toBeUndefined();
    expect(result).toEqual({ days: 3 });

    // Finished steps did not run again: no body, no model call. Day 2 called the model twice.
    expect(bodies).toEqual(["day-2", "finalize", "notify"]);
    expect(callsFor(job)).toEqual({ outline: 1, "day-1": 1, "day-2": 2, "day-3": 1 });

    const row = await findItineraryById({ id: job.id });
    expect(row?.status).toBe("completed");
    expect(row?.progress).toBe(100);
    expect(row?.itinerary?.map((plan) => plan.day)).toEqual([1, 2, 3]);
    // The failed attempt used no tokens we know of; the total counts each step once.
    expect(row?.usage).toEqual(expectedUsage(3));
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

  it("a fatal model error fails the step for good (no retry)", async () => {
    const job = await newJob(1);
    const engine = new RequestEngine({ function: generateItineraryFunction, events: requested(job.id) });
    failNext(
      job,
      "outline",
      new APICallError({
        message: "Incorrect API key",
        url: "https://api.openai.com/v1/responses",
        requestBodyValues: {},
        statusCode: 401,
        responseBody: '{"error":{"message":"Incorrect API key sk-secret"}}',
        isRetryable: false,
      }),
    );
    const step = ranStep((await engine.request({})).result);
    expect(step.op).toBe("StepFailed");
    expect(step.error?.name).toBe("NonRetriableError");
    expect(step.error?.message).toMatch(/OPENAI_API_KEY/);
    expect(step.error?.message).not.toContain("sk-secret");
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
