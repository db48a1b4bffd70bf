import { currentStep } from "@/lib/step-context";

// A cancelled job stops paying for calls in flight: the runner hands its job's abort signal
// to the step context, and every LLM call made inside the step listens to it.

/** The timeout signal, combined with the running job's signal when there is one. */
export function llmCallSignal(timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  const job = currentStep()?.signal;
  return job ? AbortSignal.any([timeout, job]) : timeout;
}
