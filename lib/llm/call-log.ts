import type { TokenUsage } from "@/lib/domain/trip";
import { logger } from "@/lib/logger";
import { currentStep } from "@/lib/step-context";
import { classifyLlmError } from "./errors";

// One log line per LLM call, finished or failed: which job, step and attempt asked, which
// model answered, how long the call waited for a slot and then took, and the tokens it
// cost. The prompt, the answer and the traveller's preferences stay out: of the request
// only the destination is logged. A failure is logged as our classification of it, never
// as the provider's message or body (which may echo the API key).

export interface LlmCallTiming {
  model: string;
  destination: string;
  /** What the call asked for: "itinerary_outline" or "itinerary_day". */
  schema: string;
  /** Time spent waiting for a free slot under LLM_CONCURRENCY. */
  queuedMs: number;
  durationMs: number;
}

const rounded = (timing: LlmCallTiming) => ({
  ...timing,
  queuedMs: Math.round(timing.queuedMs),
  durationMs: Math.round(timing.durationMs),
});

/** The job, step and attempt asking, when inside a step (the signal is not for the log). */
function stepFields() {
  const context = currentStep();
  return context ? { jobId: context.jobId, step: context.step, attempt: context.attempt } : {};
}

export function logLlmCallFinished(timing: LlmCallTiming, usage: TokenUsage): void {
  logger("llm").info({ ...stepFields(), ...rounded(timing), usage }, "llm call finished");
}

export function logLlmCallFailed(timing: LlmCallTiming, error: unknown): void {
  const { kind, message } = classifyLlmError(error);
  logger("llm").warn({ ...stepFields(), ...rounded(timing), outcome: kind, reason: message }, "llm call failed");
}
