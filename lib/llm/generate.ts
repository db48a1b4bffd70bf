import "server-only";
import { generateText, Output, type LanguageModelUsage } from "ai";
import type { z } from "zod";
import {
  dayPlanSchema,
  outlineSchema,
  type DayPlan,
  type Outline,
  type TokenUsage,
} from "@/lib/domain/trip";
import { env } from "@/lib/env";
import { processSingleton } from "@/lib/singleton";
import { logLlmCallFailed, logLlmCallFinished } from "./call-log";
import { llmCallSignal } from "./cancellation";
import { Limiter, type LimiterPriority } from "./limiter";
import { getModel } from "./model";
import { dayPrompt, outlinePrompt, SYSTEM_PROMPT, type TripData } from "./prompts";

export interface Generated<T> {
  value: T;
  usage: TokenUsage;
}

/** One process-wide cap on concurrent LLM calls, whichever runner asks. */
export function llmLimiter(): Limiter {
  return processSingleton("llm-limiter", () => new Limiter(env().LLM_CONCURRENCY));
}

function toUsage(usage: LanguageModelUsage): TokenUsage {
  const inputTokens = usage.inputTokens ?? 0;
  const outputTokens = usage.outputTokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage.totalTokens ?? inputTokens + outputTokens };
}

// maxRetries: 0 — the durable runner owns retries, so a failed call is one failed attempt.
async function generateStructured<T>(
  schema: z.ZodType<T>,
  name: string,
  prompt: string,
  priority: LimiterPriority,
  destination: string,
): Promise<Generated<T>> {
  const { model, label } = getModel();
  const queuedAt = performance.now();
  return llmLimiter().run(async () => {
    const started = performance.now();
    const timing = () => ({
      model: label,
      destination,
      schema: name,
      queuedMs: started - queuedAt,
      durationMs: performance.now() - started,
    });
    try {
      const result = await generateText({
        model,
        instructions: SYSTEM_PROMPT,
        prompt,
        output: Output.object({ schema, name }),
        maxRetries: 0,
        abortSignal: llmCallSignal(env().LLM_TIMEOUT_MS),
      });
      // Reading .output validates the answer against the schema: a mismatch fails the call.
      const value = result.output;
      const usage = toUsage(result.usage);
      logLlmCallFinished(timing(), usage);
      return { value, usage };
    } catch (error) {
      logLlmCallFailed(timing(), error);
      throw error;
    }
  }, priority);
}

export function generateOutline(trip: TripData): Promise<Generated<Outline>> {
  return generateStructured(outlineSchema, "itinerary_outline", outlinePrompt(trip), "normal", trip.destination);
}

export function generateDayPlan(
  trip: TripData,
  outline: Outline,
  day: number,
): Promise<Generated<DayPlan>> {
  // Days of jobs already under way go ahead of new outlines, so a burst of requests still
  // finishes itineraries one after another instead of all of them late.
  return generateStructured(
    dayPlanSchema,
    "itinerary_day",
    dayPrompt(trip, outline, day),
    "high",
    trip.destination,
  );
}
