import type { TokenUsage } from "@/lib/itineraries/schema";
import { currentStep } from "@/lib/jobs/step-context";
import { logger } from "@/lib/logger";
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

export function logLlmCallFinished(timing: LlmCallTiming, usage: TokenUsage): void {
  logger("llm").info({ ...currentStep(), ...rounded(timing), usage }, "llm call finished");
}

export function logLlmCallFailed(timing: LlmCallTiming, error: unknown): void {
  const { kind, message } = classifyLlmError(error);
  logger("llm").warn({ ...currentStep(), ...rounded(timing), outcome: kind, reason: message }, "llm call failed");
}
