import type { GetStepTools } from "inngest";
import { runInStep } from "@/lib/step-context";
import { whileJobActive, type JobActive } from "@/lib/workflow/job-watch";
import type { StepTools } from "@/lib/workflow/types";
import type { inngest } from "./client";
import { flushRealtime } from "./realtime";

type InngestStep = GetStepTools<typeof inngest>;

/**
 * Inngest's step tools as the handlers in lib/workflow take them: each step body runs in
 * its step context (job, step, attempt) for the LLM call log. Inngest numbers attempts from
 * 0 and per request; the context counts from 1, as the local runner does. With
 * `watchJob`, a step stops (its LLM call aborted) as soon as its job stops processing, or,
 * given a test of the job, as soon as the job fails it. A step hands its result back once
 * what it published to Inngest Realtime has gone (or half a second has passed), so a
 * function frozen after its request loses none of it.
 */
export function inngestSteps(
  step: InngestStep,
  jobId: string,
  inngestAttempt: number,
  { watchJob = false }: { watchJob?: boolean | JobActive } = {},
): StepTools {
  const context = (id: string, signal?: AbortSignal) => ({ jobId, step: id, attempt: inngestAttempt + 1, signal });
  return {
    // Inngest types a step's output as its JSON form; our handlers' outputs are JSON
    // already (the local runner round-trips them too), so the value is the same.
    run: <T>(id: string, fn: () => Promise<T>) =>
      step.run(id, async () => {
        try {
          return await (watchJob
            ? whileJobActive(jobId, (signal) => runInStep(context(id, signal), fn), watchJob === true ? undefined : watchJob)
            : runInStep(context(id), fn));
        } finally {
          await flushRealtime(jobId);
        }
      }) as Promise<T>,
  };
}
