import { AsyncLocalStorage } from "node:async_hooks";
import type { StepRunner } from "./local-runner";

// Which job, step and attempt the code running now belongs to, so an LLM call deep inside
// a step can log them without every function passing them along. Both runners set it: the
// local runner around each attempt, the Inngest function around each step.run body.

export interface StepContext {
  jobId: string;
  /** The step id: "outline", "day-3", "finalize", … */
  step: string;
  /** Counts from 1 (the first try). */
  attempt: number;
}

const storage = new AsyncLocalStorage<StepContext>();

export function runInStep<T>(context: StepContext, task: () => Promise<T>): Promise<T> {
  return storage.run(context, task);
}

/** The step running now, or undefined outside any job. */
export function currentStep(): StepContext | undefined {
  return storage.getStore();
}

/**
 * Wraps Inngest's step tools so each step body runs inside its context. Inngest numbers
 * attempts from 0 and per request; the context counts from 1, as the local runner does.
 */
export function withStepContext(step: StepRunner, jobId: string, inngestAttempt: number): StepRunner {
  return {
    run: (id, fn) => step.run(id, () => runInStep({ jobId, step: id, attempt: inngestAttempt + 1 }, fn)),
  };
}
