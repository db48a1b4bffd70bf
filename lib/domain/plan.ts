import { z } from "zod";
import { MAX_DAYS } from "./constants";

// What the model writes: a trip outline and one plan per day. OpenAI strict mode: every key
// required, "optional" is nullable. What follows from these (end times, times of day, map
// links, costs in words, dates, totals) is computed by us (lib/domain/plan-facts.ts), never
// asked of the model: every token it need not write shortens the trip's critical path.

export const TIMES_OF_DAY = ["morning", "afternoon", "evening"] as const;
export type TimeOfDay = (typeof TIMES_OF_DAY)[number];
export const ACTIVITY_CATEGORIES = [
  "sightseeing",
  "food",
  "culture",
  "nature",
  "shopping",
  "nightlife",
  "adventure",
  "relaxation",
  "transport",
] as const;
export const TRAVEL_MODES = ["walk", "transit", "taxi", "drive", "bike", "ferry"] as const;

export const currencyCodeSchema = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .describe("An ISO 4217 currency code, e.g. EUR or JPY");

export const coordinatesSchema = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});
export type Coordinates = z.infer<typeof coordinatesSchema>;

export const moneySchema = z.object({
  amount: z.number().min(0).max(1_000_000).describe("Per person; 0 when free"),
  currency: currencyCodeSchema,
});
export type Money = z.infer<typeof moneySchema>;

export const outlineDaySchema = z.object({
  day: z.number().int().min(1).max(MAX_DAYS),
  theme: z.string().min(1).max(120).describe("The focus of that day"),
  area: z.string().min(1).max(120).describe("The part of town or region the day stays in"),
  highlights: z
    .array(z.string().min(1).max(120))
    .min(2)
    .max(4)
    .describe("2 to 4 named places this day owns; no other day visits them"),
});

export const outlineSchema = z.object({
  title: z.string().min(1).max(120).describe("A short, evocative title for the whole trip"),
  summary: z.string().min(1).max(600).describe("Two or three sentences describing the trip"),
  currency: currencyCodeSchema.describe("The local currency at the destination (ISO 4217)"),
  timeZone: z.string().min(1).max(64).nullable().describe("The destination's IANA time zone, e.g. Europe/Lisbon; null when unsure"),
  center: coordinatesSchema.nullable().describe("The destination's centre; null when unsure"),
  days: z.array(outlineDaySchema).min(1).max(MAX_DAYS),
  tips: z.array(z.string().min(1).max(300)).min(1).max(8).describe("Practical travel tips"),
});
export type Outline = z.infer<typeof outlineSchema>;
export type OutlineDay = z.infer<typeof outlineDaySchema>;

// The outline is written in two calls. The skeleton — the title, the currency and the days
// (themes, areas, highlights) — is all a day's plan needs, so it alone gates the days; the
// details (summary, tips, time zone, centre) are written beside the days, off the critical
// path. bench/streaming.ts measures what that saves.
export const outlineSkeletonSchema = outlineSchema.pick({ title: true, currency: true, days: true });
export type OutlineSkeleton = z.infer<typeof outlineSkeletonSchema>;
export const outlineDetailsSchema = outlineSchema.pick({ summary: true, timeZone: true, center: true, tips: true });
export type OutlineDetails = z.infer<typeof outlineDetailsSchema>;
/** The outline as stored: the skeleton first, the details once written (older rows: all at once). */
export type StoredOutline = OutlineSkeleton & Partial<OutlineDetails>;

const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
  .describe("Local time, 24-hour HH:MM");

export const activitySchema = z.object({
  startTime: clock,
  durationMinutes: z.number().int().min(15).max(720),
  title: z.string().min(1).max(120),
  description: z.string().min(1).max(600),
  place: z.string().min(1).max(160).describe("Name of the place or neighbourhood"),
  location: coordinatesSchema.nullable().describe("The place's coordinates; null when unsure"),
  category: z.enum(ACTIVITY_CATEGORIES),
  cost: moneySchema.describe("The cost per person, in the trip's currency"),
  travelFromPrevious: z
    .object({ mode: z.enum(TRAVEL_MODES), minutes: z.number().int().min(0).max(300) })
    .nullable()
    .describe("Getting here from the previous stop; null for the day's first stop"),
});
export type Activity = z.infer<typeof activitySchema>;

/** Minutes since midnight of an HH:MM time. */
export function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(":").map(Number);
  return hours * 60 + minutes;
}

/**
 * Why a day's timeline does not hold, or null: activities in time order, none running past
 * midnight, and each starting no earlier than the previous one ends plus the travel to it.
 */
export function timelineProblem(activities: readonly Pick<Activity, "startTime" | "durationMinutes" | "travelFromPrevious" | "title">[]): string | null {
  let previousEnd = 0;
  for (const [index, activity] of activities.entries()) {
    const start = minutesOf(activity.startTime);
    const end = start + activity.durationMinutes;
    if (end > 24 * 60) return `"${activity.title}" runs past midnight`;
    if (index > 0) {
      const arrival = previousEnd + (activity.travelFromPrevious?.minutes ?? 0);
      if (start < arrival) return `"${activity.title}" starts before the previous stop ends and the travel to it is done`;
    }
    previousEnd = end;
  }
  return null;
}

export const dayPlanSchema = z
  .object({
    day: z.number().int().min(1).max(MAX_DAYS),
    theme: z.string().min(1).max(120),
    activities: z.array(activitySchema).min(1).max(10),
  })
  // A timeline that does not hold fails validation like any schema mismatch: the step retries.
  .superRefine((plan, context) => {
    const problem = timelineProblem(plan.activities);
    if (problem) context.addIssue({ code: "custom", path: ["activities"], message: problem });
  });
export type DayPlan = z.infer<typeof dayPlanSchema>;

/**
 * An activity as stored. Plans written before the server computed them also carry the
 * model's `timeOfDay` and `estimatedCost` (a text like "≈ €15"); the presenter recomputes
 * both, keeping the stored text only where an old plan has no numeric cost.
 */
export type StoredActivity = Activity & { timeOfDay?: TimeOfDay; estimatedCost?: string };
/** A day's plan as stored (rows of itinerary_days and itinerary_day_revisions, itineraries.itinerary). */
export type StoredDayPlan = Omit<DayPlan, "activities"> & { activities: StoredActivity[] };

/** A stored plan as the model writes it: without the fields older plans carried and the server now computes. */
export function modelDayPlan(plan: StoredDayPlan): DayPlan {
  return {
    day: plan.day,
    theme: plan.theme,
    activities: plan.activities.map((activity) => ({
      startTime: activity.startTime,
      durationMinutes: activity.durationMinutes,
      title: activity.title,
      description: activity.description,
      place: activity.place,
      location: activity.location,
      category: activity.category,
      cost: activity.cost,
      travelFromPrevious: activity.travelFromPrevious,
    })),
  };
}
