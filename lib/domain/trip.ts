import { z } from "zod";

// One source of truth: these schemas feed the form, the server action, the JSON routes,
// the LLM calls (structured output) and the stored rows.

import { CALLBACK_URL_MESSAGE, MAX_CALLBACK_URL_LENGTH, parseCallbackUrl } from "./callback-url";
import { BUDGETS, MAX_DAYS, MAX_INTERESTS, MAX_TRAVELLERS, PACES } from "./constants";

export * from "./constants";

const MS_PER_DAY = 86_400_000;

/** YYYY-MM-DD for a Date, in UTC. */
export const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The earliest start date we accept. "Today" differs by time zone (UTC-12 … UTC+14), so a
 * date that is today anywhere on Earth is accepted: that is UTC's yesterday or later.
 */
export function earliestStartDate(now: Date = new Date()): string {
  return isoDate(new Date(now.getTime() - MS_PER_DAY));
}

const startDateSchema = z.iso
  .date({ error: "Use a calendar date like 2027-03-14.", abort: true })
  .refine((value) => value >= earliestStartDate(), { error: "The start date is in the past." })
  .refine((value) => value <= isoDate(new Date(Date.now() + 2 * 365 * MS_PER_DAY)), {
    error: "The start date must be within the next two years.",
  });

// Text a person typed: no control characters (Postgres refuses NUL) and no lone surrogate
// halves (jsonb refuses them), so bad input is a 422 here, never a 500 at the database.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const isPlainText = (value: string) => value.isWellFormed() && !CONTROL_CHARACTERS.test(value);

const interestSchema = z
  .string()
  .trim()
  .refine(isPlainText, { error: "Interests can only contain printable text.", abort: true })
  .min(1, { error: "Interests cannot be empty." })
  .max(30, { error: "Keep each interest under 30 characters." });

/** What a person or API client asks for. Field names are the public API's. */
export const itineraryRequestSchema = z.strictObject({
  destination: z
    .string({ error: "Enter a destination." })
    .trim()
    .refine(isPlainText, { error: "The destination can only contain printable text.", abort: true })
    .min(2, { error: "The destination needs at least 2 characters." })
    .max(100, { error: "Keep the destination under 100 characters." }),
  durationDays: z
    .number({ error: "Days must be a whole number." })
    .int({ error: "Days must be a whole number." })
    .min(1, { error: "Plan at least 1 day." })
    .max(MAX_DAYS, { error: `Plan at most ${MAX_DAYS} days.` }),
  startDate: startDateSchema.nullish().transform((value) => value ?? null),
  interests: z
    .array(interestSchema)
    .max(MAX_INTERESTS, { error: `Choose at most ${MAX_INTERESTS} interests.` })
    .default([])
    .transform((tags) => [...new Set(tags.map((tag) => tag.toLowerCase()))]),
  pace: z.enum(PACES, { error: "Choose relaxed, balanced or packed." }).default("balanced"),
  budget: z.enum(BUDGETS, { error: "Choose budget, moderate or luxury." }).default("moderate"),
  travellers: z
    .number({ error: "Travellers must be a whole number." })
    .int({ error: "Travellers must be a whole number." })
    .min(1, { error: "At least 1 traveller." })
    .max(MAX_TRAVELLERS, { error: `At most ${MAX_TRAVELLERS} travellers.` })
    .default(2),
  /**
   * API clients only: where to POST a signed webhook when the job ends. Stored normalized;
   * absent stays absent (undefined), so requests without it hash as they always did.
   * Private hosts are refused at submit, where the environment is known.
   */
  callbackUrl: z
    .string({ error: CALLBACK_URL_MESSAGE })
    .trim()
    .max(MAX_CALLBACK_URL_LENGTH, { error: `Keep callbackUrl under ${MAX_CALLBACK_URL_LENGTH} characters.`, abort: true })
    .refine((value) => parseCallbackUrl(value) !== null, { error: CALLBACK_URL_MESSAGE, abort: true })
    .transform((value) => parseCallbackUrl(value)?.href ?? value)
    .nullish()
    .transform((value) => value ?? undefined)
    .meta({
      description:
        "Where to POST a signed webhook (Standard Webhooks) when the job completes, fails or is cancelled: a public http(s) URL.",
    }),
});

export type ItineraryRequestInput = z.input<typeof itineraryRequestSchema>;
export type ItineraryRequest = z.output<typeof itineraryRequestSchema>;
export type ItineraryRequestField = keyof ItineraryRequest;

// What the model writes (outline, day, activity) is lib/domain/plan.ts.
export * from "./plan";

export const tokenUsageSchema = z.object({
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  totalTokens: z.number().int().min(0),
});
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

export const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

/** A job id is a UUID; anything else is "not found" without touching the database. */
export const jobIdSchema = z.uuid();
