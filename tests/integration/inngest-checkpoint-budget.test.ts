import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { jsonAnswer, streamingModel } from "../helpers/streaming-model";
import type { LanguageModelV4GenerateResult } from "@ai-sdk/provider";
import { createTestDatabase } from "../helpers/database";
import { createInngestExecutor, startFakeDevServer } from "../helpers/inngest-executor";
import { fakeAnswer } from "../fixtures/fake-openai-server";

// The checkpoint budget as the Inngest endpoint applies it. When Inngest's call carries
// the function's and queue item's ids, the SDK runs step after step inside that one request,
// reporting each finished step to Inngest (POST /v1/checkpoint/:runId/async), until
// CHECKPOINT_MAX_RUNTIME_MS has passed; then it hands the next steps back to Inngest. Steps
// that run in parallel are handed back whatever the time: after the outline's skeleton come
// its details and the days side by side (even on a one-day job), so the first request runs
// the skeleton alone and Inngest runs the rest in parallel mode, where the SDK does not
// checkpoint. The skeleton's model call is made to "take" a given time on a fake clock.

const devServer = await startFakeDevServer();
for (const key of ["JOB_RUNNER", "JOB_MAX_ATTEMPTS", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) delete process.env[key];
process.env.INNGEST_DEV = devServer.url;
const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
const { CHECKPOINT_MAX_RUNTIME_MS } = await import("@/inngest/time-budget");
const { setModelForTests } = await import("@/lib/llm/model");
const { promptText } = await import("@/lib/llm/demo-model");
const { parsePromptTask, promptStepId } = await import("@/lib/llm/prompts");
const { findItineraryById, insertItinerary } = await import("@/lib/db/queries/itineraries");
const executor = createInngestExecutor(await import("@/app/api/inngest/route"), devServer);

/** destination → how long its outline call takes, in fake milliseconds. */
const outlineTakes = new Map<string, number>();
const modelCalls: string[] = [];
const model = streamingModel({
  async doGenerate(options): Promise<LanguageModelV4GenerateResult> {
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("mock model: no <trip_request> in the prompt");
    const step = promptStepId(task);
    modelCalls.push(`${task.trip.destination}#${step}`);
    if (step === "outline") await vi.advanceTimersByTimeAsync(outlineTakes.get(task.trip.destination) ?? 0);
    return jsonAnswer(fakeAnswer(task), { input: 10, output: 5 });
  },
});

beforeAll(async () => {
  await createTestDatabase();
  setModelForTests({ model, label: "mock model", kind: "demo" });
});

afterAll(async () => {
  await devServer.close();
});

let jobCounter = 0;
/** One call from Inngest, with checkpointing, for a new one-day job whose outline takes `ms`. */
async function firstCallWithSlowOutline(ms: number) {
  jobCounter += 1;
  const job = await insertItinerary({
    destination: `Budget trip ${jobCounter}`,
    durationDays: 1,
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    model: "mock model",
    requestHash: `budget-${jobCounter}`,
  });
  outlineTakes.set(job.destination, ms);
  const runId = `01BUDGETRUN${jobCounter}`;
  // Timers and the clock are fake; they also follow real time, so nothing else stalls.
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], shouldAdvanceTime: true });
  try {
    const response = await executor.call({
      fnId: "itinera-generate-itinerary",
      event: { name: "itinerary/requested", data: { id: job.id, runKey: job.id } },
      runId,
      checkpointing: { fnId: "generate-itinerary-uuid", queueItemId: `queue-item-${jobCounter}` },
    });
    const checkpointed = devServer.checkpoints
      .filter((checkpoint) => checkpoint.runId === runId)
      .flatMap((checkpoint) => checkpoint.steps.map((step) => `${step.op} ${step.displayName}`));
    const calls = modelCalls.filter((call) => call.startsWith(`${job.destination}#`)).map((call) => call.split("#")[1]);
    return { response, checkpointed, calls, row: await findItineraryById({ id: job.id }) };
  } finally {
    vi.useRealTimers();
  }
}

describe("the checkpoint budget", () => {
  it("runs the outline in the first request, then hands its details and the days back to run in parallel", async () => {
    // 179 s: far past the SDK's own default budget for serve (10 s), yet within ours.
    const { response, checkpointed, calls, row } = await firstCallWithSlowOutline(CHECKPOINT_MAX_RUNTIME_MS - 1000);
    expect(checkpointed).toEqual(["StepRun outline"]);
    expect(response.status).toBe(206);
    expect(response.ops.map((op) => [op.op, op.displayName])).toEqual([
      ["StepPlanned", "outline-details"],
      ["StepPlanned", "day-1"],
    ]);
    // Only the skeleton was asked for in this request, and it is stored.
    expect(calls).toEqual(["outline"]);
    expect(row).toMatchObject({ status: "processing", progress: 10 });
    expect(row?.outline?.days).toHaveLength(1);
  });

  it("hands the remaining steps back to Inngest once CHECKPOINT_MAX_RUNTIME_MS has passed, the running step finished", async () => {
    const { response, checkpointed, calls, row } = await firstCallWithSlowOutline(CHECKPOINT_MAX_RUNTIME_MS + 1000);
    expect(checkpointed).toEqual(["StepRun outline"]);
    expect(response.status).toBe(206);
    expect(response.ops.map((op) => [op.op, op.displayName])).toEqual([
      ["StepPlanned", "outline-details"],
      ["StepPlanned", "day-1"],
    ]);
    expect(calls).toEqual(["outline"]);
    expect(row).toMatchObject({ status: "processing", progress: 10 });
    expect(row?.outline?.days).toHaveLength(1);
  });
});
