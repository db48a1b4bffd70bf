import { describe, expect, it } from "vitest";
import { llmCallSignal } from "@/lib/llm/cancellation";
import { runInStep } from "@/lib/step-context";
import { LocalRunner } from "@/lib/jobs/local-runner";

describe("LLM calls inside a cancelled job", () => {
  it("outside a job, only the timeout can abort a call", () => {
    const signal = llmCallSignal(60_000);
    expect(signal.aborted).toBe(false);
  });

  it("inside a job, cancelling the job aborts the call's signal", async () => {
    const job = new AbortController();
    const signal = await runInStep({ jobId: "job-1", step: "day-1", attempt: 1, signal: job.signal }, async () => llmCallSignal(60_000));
    expect(signal.aborted).toBe(false);
    job.abort(new Error("cancelled"));
    expect(signal.aborted).toBe(true);
  });

  it("the local runner's cancel() aborts a model call already in flight", async () => {
    let sawAbort = false;
    const runner = new LocalRunner({
      store: { load: async () => new Map(), save: async () => {} },
      maxAttempts: 3,
      retryBaseMs: 1,
      onFailure: async () => {},
      handler: async ({ step }) =>
        step.run("slow-call", () => {
          const signal = llmCallSignal(60_000);
          return new Promise((_, reject) => {
            signal.addEventListener("abort", () => {
              sawAbort = true;
              reject(signal.reason);
            });
          });
        }),
    });
    const outcome = runner.start({ id: "job-1" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    runner.cancel("job-1");
    await expect(outcome).resolves.toBe("cancelled");
    expect(sawAbort).toBe(true);
  });
});
