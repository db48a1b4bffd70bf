import "server-only";
import { Output, streamText, type LanguageModelUsage } from "ai";
import type { z } from "zod";
import {
  dayPlanSchema,
  outlineDetailsSchema,
  outlineSkeletonSchema,
  type DayPlan,
  type StoredDayPlan,
  type OutlineDetails,
  type OutlineSkeleton,
  type TokenUsage,
} from "@/lib/domain/trip";
import { env } from "@/lib/env";
import { processSingleton } from "@/lib/singleton";
import { logLlmCallFailed, logLlmCallFinished } from "./call-log";
import { llmCallSignal } from "./cancellation";
import { Limiter, type LimiterPriority } from "./limiter";
import { getModel } from "./model";
import { dayPrompt, outlineDetailsPrompt, outlinePrompt, reviseDayPrompt, SYSTEM_PROMPT, type TripData } from "./prompts";

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

/** Called with what the model has written so far: partial, unchecked, for showing only. */
export type OnPartial = (partial: Record<string, unknown>) => void;

// Streamed, so watchers see the answer as it is written; the result is still the whole
// answer validated against the schema. maxRetries: 0 — the durable runner owns retries, so
// a failed call is one failed attempt.
async function generateStructured<T>(
  schema: z.ZodType<T>,
  name: string,
  prompt: string,
  priority: LimiterPriority,
  destination: string,
  onPartial?: OnPartial,
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
    // The stream reports a provider failure (an HTTP status, a dropped connection) here;
    // the output then only says "no output", so the provider's error is the one thrown.
    let streamError: unknown;
    try {
      const result = streamText({
        model,
        instructions: SYSTEM_PROMPT,
        prompt,
        output: Output.object({ schema, name }),
        maxRetries: 0,
        abortSignal: llmCallSignal(env().LLM_TIMEOUT_MS),
        onError: ({ error }) => {
          streamError ??= error;
        },
      });
      for await (const partial of result.partialOutputStream) {
        if (partial && typeof partial === "object") onPartial?.(partial as Record<string, unknown>);
      }
      // Awaiting .output validates the whole answer against the schema: a mismatch fails the call.
      const value = await result.output.then(undefined, (error: unknown) => {
        throw streamError ?? error;
      });
      const usage = toUsage(await result.usage);
      logLlmCallFinished(timing(), usage);
      return { value, usage };
    } catch (error) {
      logLlmCallFailed(timing(), streamError ?? error);
      throw streamError ?? error;
    }
  }, priority);
}

/** The outline's skeleton: what the days need (title, currency, the days' themes and places). */
export function generateOutline(trip: TripData, onPartial?: OnPartial): Promise<Generated<OutlineSkeleton>> {
  return generateStructured(outlineSkeletonSchema, "itinerary_outline", outlinePrompt(trip), "normal", trip.destination, onPartial);
}

/** The rest of the outline (summary, tips, time zone, centre), written beside the days. */
export function generateOutlineDetails(
  trip: TripData,
  skeleton: OutlineSkeleton,
  onPartial?: OnPartial,
): Promise<Generated<OutlineDetails>> {
  return generateStructured(
    outlineDetailsSchema,
    "itinerary_outline_details",
    outlineDetailsPrompt(trip, skeleton),
    "high",
    trip.destination,
    onPartial,
  );
}

export function generateDayPlan(
  trip: TripData,
  outline: OutlineSkeleton,
  day: number,
  onPartial?: OnPartial,
): Promise<Generated<DayPlan>> {
  // Days of jobs already under way go ahead of new outlines, so a burst of requests still
  // finishes itineraries one after another instead of all of them late.
  return generateStructured(
    dayPlanSchema,
    "itinerary_day",
    dayPrompt(trip, outline, day),
    "high",
    trip.destination,
    onPartial,
  );
}

/** Day `day` rewritten as `instruction` asks: one call, the same schema and checks as a day. */
export function generateDayRevision(
  trip: TripData,
  outline: OutlineSkeleton,
  days: readonly StoredDayPlan[],
  day: number,
  instruction: string,
  onPartial?: OnPartial,
): Promise<Generated<DayPlan>> {
  return generateStructured(
    dayPlanSchema,
    "itinerary_day",
    reviseDayPrompt(trip, outline, days, day, instruction),
    "high",
    trip.destination,
    onPartial,
  );
}
