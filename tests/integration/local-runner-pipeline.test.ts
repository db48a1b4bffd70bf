import { APICallError } from "ai";
import { jsonAnswer, streamingModel } from "../helpers/streaming-model";
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
import type { ItineraryResource } from "@/lib/domain/resource";
import * as itineraryRoute from "@/app/api/itineraries/[id]/route";
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
    return jsonAnswer(value, { input: 100, output: 50 });
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

/**
 * A runner wired like lib/jobs/local-functions.ts; `tracked` collects every step's promise.
 * The process "crashes" right after the body of a step in `crashAfter` has run: its work is
 * done but its output is never saved, so the next runner runs it again.
 */
function makeRunner(tracked: Array<Promise<unknown>> = [], crashAfter: readonly string[] = []) {
  return createGenerationRunner({
    handler: ({ event, step }) => {
      const tracking: StepTools = {
        run: (id, fn) => {
          const body: typeof fn = crashAfter.includes(id) ? async () => (await fn(), forever() as never) : fn;
          const run = step.run(id, body);
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

/** The job as a client reads it: GET /api/itineraries/{id}. */
async function resource(id: string): Promise<ItineraryResource> {
  const response = await itineraryRoute.GET(new Request(`http://localhost/api/itineraries/${id}`), {
    params: Promise.resolve({ id }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as ItineraryResource;
}

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
  it("completes a 4-day job: outline and its details once, each day once, days in order", async () => {
    const id = await newJob(4);
    expect(await makeRunner().start({ id: id })).toBe("completed");

    const job = await findItineraryById({ id });
    expect(job).toMatchObject({ status: "completed", progress: 100, error: null });
    expect(job?.completedAt).toBeInstanceOf(Date);
    expect(job?.itinerary?.map((day) => day.day)).toEqual([1, 2, 3, 4]);
    expect(job?.itinerary?.map((day) => day.theme)).toEqual(job?.outline?.days.map((day) => day.theme));
    expect(await dayNumbers(id)).toEqual([1, 2, 3, 4]);
    // The details landed beside the days: the stored outline is whole.
    expect(job?.outline?.summary).toEqual(expect.any(String));
    expect(job?.outline?.tips?.length).toBeGreaterThan(0);
    expect(job?.usage?.totalTokens).toBe(6 * USAGE_PER_CALL);
    expect(job?.usage?.inputTokens).toBeGreaterThan(0);
    expect(Object.fromEntries(calls)).toEqual({
      outline: 1,
      "outline-details": 1,
      "day-1": 1,
      "day-2": 1,
      "day-3": 1,
      "day-4": 1,
    });
  });

  it("retries a day that fails once and leaves the other days alone", async () => {
    script = (key, count) => {
      if (key === "day-2" && count === 1) throw apiError(500);
    };
    const id = await newJob(4);
    expect(await makeRunner().start({ id: id })).toBe("completed");
    expect((await findItineraryById({ id }))?.status).toBe("completed");
    expect(await dayNumbers(id)).toEqual([1, 2, 3, 4]);
    expect(Object.fromEntries(calls)).toEqual({
      outline: 1,
      "outline-details": 1,
      "day-1": 1,
      "day-2": 2,
      "day-3": 1,
      "day-4": 1,
    });
  });

  it("retries the outline's details when they fail once, without asking for the days again", async () => {
    script = (key, count) => {
      if (key === "outline-details" && count === 1) throw apiError(500);
    };
    const id = await newJob(4);
    expect(await makeRunner().start({ id: id })).toBe("completed");
    const job = await findItineraryById({ id });
    expect(job).toMatchObject({ status: "completed", progress: 100, error: null });
    expect(await dayNumbers(id)).toEqual([1, 2, 3, 4]);
    expect(Object.fromEntries(calls)).toEqual({
      outline: 1,
      "outline-details": 2,
      "day-1": 1,
      "day-2": 1,
      "day-3": 1,
      "day-4": 1,
    });
    const outline = (await resource(id)).outline;
    expect(outline?.summary).toEqual(expect.any(String));
    expect(outline?.tips.length).toBeGreaterThan(0);
    // The failed attempt paid for nothing we know of; the answers that landed count once.
    expect(job?.usage?.totalTokens).toBe(6 * USAGE_PER_CALL);
  });

  it("fails the job with a readable error when the outline's details keep failing", async () => {
    script = (key) => {
      if (key === "outline-details") throw apiError(503);
    };
    const id = await newJob(3);
    expect(await makeRunner().start({ id: id })).toBe("failed");
    const job = await findItineraryById({ id });
    expect(job?.status).toBe("failed");
    expect(job?.error).toMatch(/^The language model is unavailable \(HTTP 503\)\..*try again later\.$/);
    expect(job?.error).not.toContain(SECRET);
    expect(job?.error).not.toContain("Bad things");
    expect(job?.itinerary).toBeNull();
    expect(job?.outline?.summary).toBeUndefined();
    expect(callCount("outline-details")).toBe(env().JOB_MAX_ATTEMPTS);
    // The days were asked once each, beside the details, and never again.
    expect(Object.fromEntries(calls)).toEqual({
      outline: 1,
      "outline-details": env().JOB_MAX_ATTEMPTS,
      "day-1": 1,
      "day-2": 1,
      "day-3": 1,
    });
    expect([...(await loadStepOutputs({ jobId: id })).keys()]).not.toContain("finalize");
  });

  it("shows the outline's summary as null until the details land, then the summary", async () => {
    let releaseDetails!: () => void;
    const details = new Promise<void>((resolve) => (releaseDetails = resolve));
    script = (key) => (key === "outline-details" ? details : undefined);
    const id = await newJob(3);
    const outcome = makeRunner().start({ id: id });

    // Every day is written while the details are still being written: the job does not
    // finish without them.
    await vi.waitFor(async () => expect(await dayNumbers(id)).toEqual([1, 2, 3]));
    const before = await resource(id);
    expect(before.status).toBe("processing");
    expect(before.days.map((day) => day.day)).toEqual([1, 2, 3]);
    expect(before.outline?.title).toEqual(expect.any(String));
    expect(before.outline?.days.map((entry) => entry.day)).toEqual([1, 2, 3]);
    expect(before.outline).toMatchObject({ summary: null, tips: [], timeZone: null, center: null });
    expect(callCount("outline-details")).toBe(1);

    releaseDetails();
    expect(await outcome).toBe("completed");
    const after = await resource(id);
    expect(after.status).toBe("completed");
    expect(after.outline?.title).toBe(before.outline?.title);
    expect(after.outline?.summary).toEqual(expect.any(String));
    expect(after.outline?.summary).toContain("food");
    expect(after.outline?.tips.length).toBeGreaterThan(0);
    expect(after.outline?.timeZone).toBe("Europe/Lisbon");
    expect(Object.fromEntries(calls)).toMatchObject({ outline: 1, "outline-details": 1 });
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
      expect([...steps.keys()].sort()).toEqual(["day-1", "day-2", "day-4", "outline", "outline-details"]);
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
    expect(job?.usage?.totalTokens).toBe(6 * USAGE_PER_CALL);
  });

  it("resumes a job that crashed while writing the outline's details: only the details are asked again", async () => {
    script = (key) => (key === "outline-details" ? forever() : undefined);
    const id = await newJob(3);
    void makeRunner().start({ id: id }); // runner A: "crashes" with the details in flight
    await vi.waitFor(async () => {
      const steps = await loadStepOutputs({ jobId: id });
      expect([...steps.keys()].sort()).toEqual(["day-1", "day-2", "day-3", "outline"]);
    });
    expect((await findItineraryById({ id }))?.status).toBe("processing");

    calls.clear();
    script = () => {};
    expect(await makeRunner().start({ id: id })).toBe("completed"); // runner B
    expect(Object.fromEntries(calls)).toEqual({ "outline-details": 1 });
    const job = await findItineraryById({ id });
    expect(job?.outline?.summary).toEqual(expect.any(String));
    expect(job?.itinerary?.map((day) => day.day)).toEqual([1, 2, 3]);
    expect(job?.usage?.totalTokens).toBe(5 * USAGE_PER_CALL);
  });

  it("counts the details' tokens once when their step runs again after they were stored", async () => {
    const id = await newJob(3);
    void makeRunner([], ["outline-details"]).start({ id: id }); // runner A: the details stored, the step not saved
    await vi.waitFor(async () => {
      expect((await findItineraryById({ id }))?.outline?.summary).toEqual(expect.any(String));
      expect([...(await loadStepOutputs({ jobId: id })).keys()].sort()).toEqual(["day-1", "day-2", "day-3", "outline"]);
    });

    calls.clear();
    expect(await makeRunner().start({ id: id })).toBe("completed"); // runner B
    // The details are not asked again, and the tokens they cost still count.
    expect(Object.fromEntries(calls)).toEqual({});
    const job = await findItineraryById({ id });
    expect(job?.status).toBe("completed");
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
