import { APICallError } from "ai";
import { streamingModel } from "../helpers/streaming-model";
import type { LanguageModelV4GenerateResult } from "@ai-sdk/provider";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// Before any app module reads the environment: fast retries, few attempts, room for hung calls.
vi.hoisted(() => {
  process.env.JOB_RETRY_BASE_MS = "5";
  process.env.JOB_MAX_ATTEMPTS = "3";
  process.env.DEMO_MODEL_LATENCY_MS = "0";
  process.env.LLM_CONCURRENCY = "20";
});

import { env, resetEnvCache } from "@/lib/env";
import { generateItinerary } from "@/lib/workflow/generate";
import { endItinerary, findItineraryById, insertItinerary, listDayRows } from "@/lib/db/queries/itineraries";
import { loadStepOutputs } from "@/lib/db/queries/steps";
import { demoAnswer, promptText } from "@/lib/llm/demo-model";
import { setModelForTests } from "@/lib/llm/model";
import { parsePromptTask, promptStepId } from "@/lib/llm/prompts";
import type { StepTools } from "@/lib/workflow/types";
import { dispatchItineraryEnded } from "@/lib/jobs/dispatch";
import { createGenerationRunner } from "@/lib/jobs/local-functions";
import { createTestDatabase } from "../helpers/database";

const SECRET = "sk-proj-LEAKED-body-3b9f";
const USAGE_PER_CALL = 150; // 100 in + 50 out, below

/** Calls per task ("outline", "day-2", …) since the test began. */
const calls = new Map<string, number>();
const callCount = (key: string) => calls.get(key) ?? 0;
const totalCalls = () => [...calls.values()].reduce((sum, count) => sum + count, 0);
/** What the model does before answering a call: nothing, throw, or wait. */
let script: (key: string, count: number) => Promise<void> | void = () => {};

const model = streamingModel({
  doGenerate: async (options): Promise<LanguageModelV4GenerateResult> => {
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("no trip request in the prompt");
    const key = promptStepId(task);
    calls.set(key, callCount(key) + 1);
    await script(key, callCount(key));
    const value = demoAnswer(task);
    return {
      content: [{ type: "text", text: JSON.stringify(value) }],
      finishReason: { unified: "stop", raw: undefined },
      usage: {
        inputTokens: { total: 100, noCache: 100, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 50, text: 50, reasoning: undefined },
      },
      warnings: [],
    };
  },
});

function apiError(statusCode: number) {
  return new APICallError({
    message: `HTTP ${statusCode}: ${SECRET}`,
    url: "https://api.openai.com/v1/responses",
    requestBodyValues: {},
    statusCode,
    responseHeaders: {},
    responseBody: JSON.stringify({ error: { message: `Bad things, key ${SECRET}` } }),
    isRetryable: statusCode >= 500,
  });
}

const forever = () => new Promise<void>(() => {});

/** A runner wired like lib/jobs/local-functions.ts; `tracked` collects every step's promise. */
function makeRunner(tracked: Array<Promise<unknown>> = []) {
  return createGenerationRunner({
    handler: ({ event, step }) => {
      const tracking: StepTools = {
        run: (id, fn) => {
          const run = step.run(id, fn);
          tracked.push(run.catch(() => {}));
          return run;
        },
      };
      return generateItinerary({ event, step: tracking, announceEnded: dispatchItineraryEnded });
    },
  });
}

async function newJob(durationDays = 4) {
  const job = await insertItinerary({
    status: "processing",
    destination: "Lisbon, Portugal",
    durationDays,
    startDate: null,
    interests: ["food"],
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    model: "mock",
    requestHash: `test-${Math.random()}`,
  });
  return job.id;
}

const dayNumbers = async (id: string) => (await listDayRows({ itineraryId: id })).map((row) => row.day);

beforeAll(async () => {
  resetEnvCache();
  expect(env().JOB_MAX_ATTEMPTS).toBe(3);
  await createTestDatabase();
  setModelForTests({ model, label: "mock", kind: "demo" });
});

beforeEach(() => {
  calls.clear();
  script = () => {};
});

describe("the itinerary pipeline on the local runner", () => {
  it("completes a 4-day job: outline once, each day once, days in order", async () => {
    const id = await newJob(4);
    expect(await makeRunner().start({ id: id })).toBe("completed");

    const job = await findItineraryById({ id });
    expect(job).toMatchObject({ status: "completed", progress: 100, error: null });
    expect(job?.completedAt).toBeInstanceOf(Date);
    expect(job?.itinerary?.map((day) => day.day)).toEqual([1, 2, 3, 4]);
    expect(job?.itinerary?.map((day) => day.theme)).toEqual(job?.outline?.days.map((day) => day.theme));
    expect(await dayNumbers(id)).toEqual([1, 2, 3, 4]);
    expect(job?.usage?.totalTokens).toBe(5 * USAGE_PER_CALL);
    expect(job?.usage?.inputTokens).toBeGreaterThan(0);
    expect(Object.fromEntries(calls)).toEqual({ outline: 1, "day-1": 1, "day-2": 1, "day-3": 1, "day-4": 1 });
  });

  it("retries a day that fails once and leaves the other days alone", async () => {
    script = (key, count) => {
      if (key === "day-2" && count === 1) throw apiError(500);
    };
    const id = await newJob(4);
    expect(await makeRunner().start({ id: id })).toBe("completed");
    expect((await findItineraryById({ id }))?.status).toBe("completed");
    expect(await dayNumbers(id)).toEqual([1, 2, 3, 4]);
    expect(Object.fromEntries(calls)).toEqual({ outline: 1, "day-1": 1, "day-2": 2, "day-3": 1, "day-4": 1 });
  });

  it("fails at once on rejected credentials and tells the operator what to check", async () => {
    script = () => {
      throw apiError(401);
    };
    const id = await newJob(3);
    expect(await makeRunner().start({ id: id })).toBe("failed");
    const job = await findItineraryById({ id });
    expect(job?.status).toBe("failed");
    expect(job?.error).toContain("OPENAI_API_KEY");
    expect(job?.error).not.toContain(SECRET);
    expect(job?.itinerary).toBeNull();
    expect(totalCalls()).toBe(1);
    expect(await dayNumbers(id)).toEqual([]);
  });

  it("gives up after JOB_MAX_ATTEMPTS transient failures with a readable error", async () => {
    script = () => {
      throw apiError(503);
    };
    const id = await newJob(3);
    expect(await makeRunner().start({ id: id })).toBe("failed");
    const job = await findItineraryById({ id });
    expect(job?.status).toBe("failed");
    expect(callCount("outline")).toBe(env().JOB_MAX_ATTEMPTS);
    expect(totalCalls()).toBe(env().JOB_MAX_ATTEMPTS);
    expect(job?.error).toMatch(/language model is unavailable \(HTTP 503\).*try again later/);
    expect(job?.error).not.toContain(SECRET);
    expect(job?.error).not.toContain("Bad things");
  });

  it("resumes a crashed job without asking for finished work again", async () => {
    script = (key) => (key === "day-3" ? forever() : undefined);
    const id = await newJob(4);
    void makeRunner().start({ id: id }); // runner A: "crashes" with day 3 in flight, never settles
    await vi.waitFor(async () => {
      const steps = await loadStepOutputs({ jobId: id });
      expect([...steps.keys()].sort()).toEqual(["day-1", "day-2", "day-4", "outline"]);
    });
    expect(callCount("day-3")).toBe(1);

    calls.clear();
    script = () => {};
    expect(await makeRunner().start({ id: id })).toBe("completed"); // runner B: a fresh process
    expect(Object.fromEntries(calls)).toEqual({ "day-3": 1 });

    const job = await findItineraryById({ id });
    expect(job?.status).toBe("completed");
    expect(job?.itinerary?.map((day) => day.day)).toEqual([1, 2, 3, 4]);
    expect(await dayNumbers(id)).toEqual([1, 2, 3, 4]);
    expect(job?.usage?.totalTokens).toBe(5 * USAGE_PER_CALL);
  });

  it("stays cancelled when a slow day finishes after the cancel", async () => {
    let releaseSlowDays!: () => void;
    const slowDays = new Promise<void>((resolve) => (releaseSlowDays = resolve));
    script = (key) => (key === "day-3" || key === "day-4" ? slowDays : undefined);
    const id = await newJob(4);
    const steps: Array<Promise<unknown>> = [];
    const runner = makeRunner(steps);
    const outcome = runner.start({ id: id });
    await vi.waitFor(async () => {
      expect(await dayNumbers(id)).toEqual([1, 2]);
      expect(callCount("day-3") + callCount("day-4")).toBe(2);
    });
    const before = await findItineraryById({ id });

    expect(await endItinerary({ id, status: "cancelled", error: null })).toBe(true);
    expect(runner.cancel(id)).toBe(true);
    releaseSlowDays();
    expect(await outcome).toBe("cancelled");
    await Promise.all(steps); // every in-flight day has now finished

    const job = await findItineraryById({ id });
    expect(job).toMatchObject({ status: "cancelled", error: null, itinerary: null, progress: before?.progress });
    expect(await dayNumbers(id)).toEqual([1, 2]);
    expect([...(await loadStepOutputs({ jobId: id })).keys()]).not.toContain("finalize");
    expect(callCount("day-3")).toBe(1);
    expect(callCount("day-4")).toBe(1);
  });
});
