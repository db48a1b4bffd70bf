import { generateText, Output } from "ai";
import { z } from "zod";
import { MAX_DAYS } from "@/lib/domain/constants";
import { dayPlanSchema, outlineSchema, type TokenUsage } from "@/lib/domain/trip";
import { getModel } from "@/lib/llm/model";
import { REQUEST_TAG, SYSTEM_PROMPT, tripData, type TripData } from "@/lib/llm/prompts";

// The common design Itinera is measured against: one structured call that returns the
// whole itinerary (outline and every day). Same model, same system prompt, same kind of
// schema-validated output as the pipeline; only the plan differs.

export const wholeTripSchema = z.object({
  title: outlineSchema.shape.title,
  summary: outlineSchema.shape.summary,
  days: z.array(dayPlanSchema).min(1).max(MAX_DAYS),
  tips: outlineSchema.shape.tips,
});
export type WholeTrip = z.infer<typeof wholeTripSchema>;

export function wholeTripPrompt(trip: TripData): string {
  const task = { task: "whole-trip", trip: tripData(trip) };
  const json = JSON.stringify(task, null, 2).replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
  return [
    `<${REQUEST_TAG}>\n${json}\n</${REQUEST_TAG}>`,
    `Plan the whole trip: a title, a short summary, all ${trip.durationDays} days (each with a theme`,
    "and activities in time order, each with a start time, a duration, the place, a category and a",
    "rough cost per person), and a few practical tips for this destination.",
  ].join("\n\n");
}

/** Asks the configured model for the whole itinerary in one call (no retries: one attempt). */
export async function generateWholeTrip(trip: TripData): Promise<{ value: WholeTrip; usage: TokenUsage }> {
  const result = await generateText({
    model: getModel().model,
    instructions: SYSTEM_PROMPT,
    prompt: wholeTripPrompt(trip),
    output: Output.object({ schema: wholeTripSchema, name: "itinerary" }),
    maxRetries: 0,
  });
  const inputTokens = result.usage.inputTokens ?? 0;
  const outputTokens = result.usage.outputTokens ?? 0;
  return { value: result.output, usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens } };
}
