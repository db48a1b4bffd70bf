import { InngestTestEngine } from "@inngest/test";
import type { LanguageModelV4GenerateResult } from "@ai-sdk/provider";
import { APICallError } from "ai";
import { jsonAnswer, streamingModel } from "../helpers/streaming-model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeAnswer } from "../fixtures/fake-openai-server";
import { createTestDatabase } from "../helpers/database";

// Every LLM call leaves one JSON log line saying which job, step and attempt asked, which
// model answered, how long it took and what it cost in tokens, under either runner; and
// nothing the traveller typed beyond the destination reaches the log.

Object.assign(process.env, { JOB_RUNNER: "local", JOB_RETRY_BASE_MS: "5", LOG_LEVEL: "info", RATE_LIMIT_MAX_JOBS: "0" });
for (const key of ["INNGEST_DEV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"]) {
  delete process.env[key];
}

const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
const { captureLogsForTests } = await import("@/lib/logger");
const { setModelForTests } = await import("@/lib/llm/model");
const { parsePromptTask, promptStepId } = await import("@/lib/llm/prompts");
const { promptText } = await import("@/lib/llm/demo-model");
const { submitItinerary } = await import("@/lib/itineraries/submit");
const { getItinerary } = await import("@/lib/itineraries/reads");
const { insertItinerary } = await import("@/lib/db/queries/itineraries");
const { localRunner } = await import("@/lib/jobs/local-functions");
const { generateItineraryFunction } = await import("@/inngest/functions/generate-itinerary");

// Words a traveller typed that must never be logged.
const PRIVATE_INTEREST = "sisters-wedding-blue-door";
const PRIVATE_TRAVELLER_NOTE = "peanut-allergy-xq7";

/** "<destination>#<step>" → how many more times that call fails with an HTTP 500. */
const failures = new Map<string, number>();

const model = streamingModel({
  async doGenerate(options): Promise<LanguageModelV4GenerateResult> {
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("mock model: no <trip_request> in the prompt");
    const key = `${task.trip.destination}#${promptStepId(task)}`;
    const left = failures.get(key) ?? 0;
    if (left > 0) {
      failures.set(key, left - 1);
      throw new APICallError({
        message: `upstream exploded ${PRIVATE_TRAVELLER_NOTE}`,
        url: "http://model.test/v1/responses",
        requestBodyValues: { prompt: PRIVATE_INTEREST },
        statusCode: 500,
        responseBody: `{"error":"${PRIVATE_TRAVELLER_NOTE}"}`,
        isRetryable: true,
      });
    }
    return jsonAnswer(fakeAnswer(task), { input: 120, output: 45 });
  },
});

interface LogEntry {
  level: string;
  time: string;
  component?: string;
  msg: string;
  jobId?: string;
  step?: string;
  attempt?: number;
  model?: string;
  destination?: string;
  durationMs?: number;
  queuedMs?: number;
  usage?: { inputTokens: number; outputTokens: number; totalTokens: number };
  outcome?: string;
  reason?: string;
}

let lines: string[] = [];
let restore = () => {};
const entries = () => lines.map((line) => JSON.parse(line) as LogEntry);
const llmCalls = (jobId: string) => entries().filter((entry) => entry.component === "llm" && entry.jobId === jobId);

beforeAll(async () => {
  await createTestDatabase();
  setModelForTests({ model, label: "mock:model-x", kind: "openai" });
  ({ lines, restore } = captureLogsForTests());
});

afterAll(() => {
  restore();
  setModelForTests(undefined);
});

describe("the LLM call log", () => {
  it("names job, step, attempt, model, duration and tokens for every call of a local-runner job", async () => {
    const destination = "Porto, Portugal";
    failures.set(`${destination}#day-2`, 1);
    const { job } = await submitItinerary({
      destination,
      durationDays: 2,
      interests: [PRIVATE_INTEREST, PRIVATE_TRAVELLER_NOTE],
    });
    await new Promise((resolve) => setImmediate(resolve));
    await localRunner().drain();
    expect((await getItinerary(job.id))?.job.status).toBe("completed");

    const calls = llmCalls(job.id);
    // outline, its details, day-1, day-2 (failed once, then answered).
    expect(calls.map((call) => `${call.step}#${call.attempt}:${call.msg}`).sort()).toEqual([
      "day-1#1:llm call finished",
      "day-2#1:llm call failed",
      "day-2#2:llm call finished",
      "outline#1:llm call finished",
      "outline-details#1:llm call finished",
    ]);
    for (const call of calls) {
      expect(call).toMatchObject({ model: "mock:model-x", destination });
      expect(call.durationMs).toBeGreaterThanOrEqual(0);
      expect(call.queuedMs).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(call.time))).toBe(false);
    }
    for (const call of calls.filter((entry) => entry.msg === "llm call finished")) {
      expect(call.level).toBe("info");
      expect(call.usage).toEqual({ inputTokens: 120, outputTokens: 45, totalTokens: 165 });
    }
    const failed = calls.find((call) => call.msg === "llm call failed");
    expect(failed).toMatchObject({ level: "warn", outcome: "transient", reason: "The language model is unavailable (HTTP 500)." });
  });

  it("names the step and attempt under the Inngest function too", async () => {
    const row = await insertItinerary({
      destination: "Bergen, Norway",
      durationDays: 1,
      interests: [PRIVATE_INTEREST],
      pace: "balanced",
      budget: "moderate",
      travellers: 2,
      model: "mock:model-x",
      requestHash: "llm-log-inngest",
    });
    const engine = new InngestTestEngine({
      function: generateItineraryFunction,
      events: [{ name: "itinerary/requested", data: { id: row.id, runKey: row.id } }],
    });
    await engine.executeStep("outline");
    const [outline] = llmCalls(row.id);
    expect(outline).toMatchObject({
      msg: "llm call finished",
      jobId: row.id,
      step: "outline",
      attempt: 1,
      model: "mock:model-x",
      usage: { totalTokens: 165 },
    });
  });

  it("keeps what the traveller typed, and the provider's words, out of every line", () => {
    const all = lines.join("");
    expect(lines.length).toBeGreaterThan(0);
    expect(all).not.toContain(PRIVATE_INTEREST);
    expect(all).not.toContain(PRIVATE_TRAVELLER_NOTE);
    expect(all).not.toContain("upstream exploded");
  });
});
