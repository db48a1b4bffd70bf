import { AsyncLocalStorage } from "node:async_hooks";

// Which job, step and attempt the code running now belongs to, and the signal that stops
// it, so an LLM call deep inside a step can log them and stop when the job is cancelled
// without every function passing them along. Both runners set it around each step body:
// the local runner around each attempt, the Inngest function around each step.run.

export interface StepContext {
  jobId: string;
  /** The step id: "outline", "day-3", "finalize", … */
  step: string;
  /** Counts from 1 (the first try). */
  attempt: number;
  /** Aborted when the job is cancelled (local runner); Inngest cancels between steps. */
  signal?: AbortSignal;
}

const storage = new AsyncLocalStorage<StepContext>();

export function runInStep<T>(context: StepContext, task: () => Promise<T>): Promise<T> {
  return storage.run(context, task);
}

/** The step running now, or undefined outside any job. */
export function currentStep(): StepContext | undefined {
  return storage.getStore();
}
