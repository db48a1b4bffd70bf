import { jsonAnswer, streamingModel } from "../helpers/streaming-model";
import type { LanguageModelV4GenerateResult } from "@ai-sdk/provider";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { demoAnswer, promptText } from "@/lib/llm/demo-model";
import { setModelForTests } from "@/lib/llm/model";
import { parsePromptTask } from "@/lib/llm/prompts";
import { createTestDatabase } from "../helpers/database";
import { createInngestExecutor, startFakeDevServer, stepId, type Memo } from "../helpers/inngest-executor";
import { ANYONE_ON_AN_OPEN_SERVER } from "../helpers/owners";

// Under Inngest, cancelOn stops the steps that have not started; a day step already waiting
// for the model must stop too, so the call in flight is not paid for to the end. Through
// the app's Inngest endpoint, one request per step as Inngest sends them.

const devServer = await startFakeDevServer();
for (const key of ["JOB_RUNNER", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) delete process.env[key];
process.env.INNGEST_DEV = devServer.url;
resetEnvCache();
const executor = createInngestExecutor(await import("@/app/api/inngest/route"), devServer);
const { insertItinerary, findItineraryById } = await import("@/lib/db/queries/itineraries");
const { cancelItinerary } = await import("@/lib/itineraries/commands");

const GENERATE = "itinera-generate-itinerary";
const calls = { started: 0, aborted: 0 };

// The outline answers at once; a day call waits for the model until its request is aborted.
const model = streamingModel({
  async doGenerate(options): Promise<LanguageModelV4GenerateResult> {
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("mock model: no task in the prompt");
    const answer = (value: unknown) => jsonAnswer(value);
    if (task.task !== "day") return answer(demoAnswer(task));
    calls.started += 1;
    await new Promise((_, reject) => {
      options.abortSignal?.addEventListener("abort", () => {
        calls.aborted += 1;
        reject(options.abortSignal?.reason);
      });
    });
    return answer(demoAnswer(task));
  },
});

beforeAll(async () => {
  await createTestDatabase();
  setModelForTests({ model, label: "mock model", kind: "demo" });
});
afterAll(async () => {
  await devServer.close();
});

describe("cancelling a job under Inngest", () => {
  it("aborts the model call of a day step already in flight, and the step ends for good", async () => {
    const job = await insertItinerary({
      destination: "Porto, Portugal",
      durationDays: 2,
      pace: "balanced",
      budget: "moderate",
      travellers: 2,
      interests: [],
      model: "mock model",
      requestHash: "inngest-cancel",
    });
    const event = { name: "itinerary/requested", data: { id: job.id, runKey: job.id } };
    const outline = await executor.call({ fnId: GENERATE, event });
    const outlineOp = outline.ops.find((op) => op.id === stepId("outline"));
    expect(outlineOp?.op).toBe("StepRun");
    const steps: Memo = { [stepId("outline")]: { data: outlineOp!.data } };

    const dayRequest = executor.call({ fnId: GENERATE, event, steps, stepId: stepId("day-1"), disableImmediateExecution: true });
    await vi.waitFor(() => expect(calls.started).toBe(1));
    const cancelledAt = performance.now();
    await cancelItinerary(job.id, ANYONE_ON_AN_OPEN_SERVER);

    const day = await dayRequest;
    expect(performance.now() - cancelledAt).toBeLessThan(1_500);
    expect(calls.aborted).toBe(1);
    // Not retried: the job has ended, there is nothing more to do.
    expect(day.ops).toMatchObject([{ op: "StepFailed", error: { name: "JobNotActiveError" } }]);
    expect((await findItineraryById({ id: job.id }))?.status).toBe("cancelled");
  });
});
