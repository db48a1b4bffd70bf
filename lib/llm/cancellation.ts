import { AsyncLocalStorage } from "node:async_hooks";

// Lets a runner hand its job's abort signal to the LLM calls made inside a step, without
// threading it through every function: a cancelled job stops paying for calls in flight.

const storage = new AsyncLocalStorage<AbortSignal>();

export function runWithAbortSignal<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T> {
  return storage.run(signal, task);
}

/** The timeout signal, combined with the running job's signal when there is one. */
export function llmCallSignal(timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  const job = storage.getStore();
  return job ? AbortSignal.any([timeout, job]) : timeout;
}
