import { z } from "zod";
import {
  activitySchema,
  BUDGETS,
  coordinatesSchema,
  currencyCodeSchema,
  MAX_DAYS,
  moneySchema,
  outlineDaySchema,
  TIMES_OF_DAY,
  outlineSchema,
  PACES,
  STATUSES,
  tokenUsageSchema,
} from "./trip";
import { DAY_STATES } from "./revision";

// The public shape of a job: what the JSON API answers with, what the status page renders,
// what live updates and webhooks carry. The presenter's types are inferred from these and
// the OpenAPI document renders them, so the two cannot drift apart. Each `id` names the
// schema's component in that document.

// Plans stored before a field existed present it as null (or an empty list). The summary,
// tips, time zone and centre are written after the rest of the outline, beside the days:
// null (tips: empty) until then.
const outline = outlineSchema
  .extend({
    summary: z.string().nullable().describe("Two or three sentences describing the trip; null until written"),
    tips: z.array(z.string()).describe("Practical travel tips; empty until written"),
    currency: currencyCodeSchema.nullable(),
    days: z.array(outlineDaySchema.extend({ area: z.string().nullable(), highlights: z.array(z.string()) })),
  })
  .meta({ id: "Outline" });

const presentedActivity = activitySchema
  .extend({
    timeOfDay: z.enum(TIMES_OF_DAY).describe("Computed from the start time: morning before 12:00, afternoon from 12:00, evening from 17:00"),
    estimatedCost: z
      .string()
      .describe('Computed: the cost per person in words, e.g. "€15 per person" or "Free" (plans made before costs were numbers keep the text written then)'),
    cost: moneySchema.nullable().describe("Per person, in the trip's currency (null in plans made before costs were numbers)"),
    endTime: z.string().describe("Computed: start time plus duration, HH:MM"),
    mapsUrl: z.url().describe("Computed: a map search for the place (its coordinates when known); opens the Maps app on phones"),
  })
  .meta({ id: "Activity" });

const dayPlan = z
  .object({
    day: z.number().int().min(1).max(MAX_DAYS),
    revision: z.number().int().min(1).describe("1 for the plan the trip was written with; one more for each revision that landed (undo goes back to an earlier one)"),
    state: z
      .enum(DAY_STATES)
      .describe("ready; revising while the model rewrites the day (the current plan stays until the new one lands); failed when the last revision failed (see error; the plan shown is unchanged)"),
    error: z.string().nullable().describe("Why the last revision of this day failed, for people; null otherwise"),
    theme: z.string(),
    date: z.iso.date().nullable().describe("Computed from the start date; null without one"),
    area: z.string().nullable().describe("The part of town or region the day stays in"),
    estimatedCost: moneySchema.nullable().describe("Computed: the day's activities added up, per person"),
    activities: z.array(presentedActivity),
  })
  .meta({ id: "DayPlan" });

const estimatedTotal = z
  .object({
    perPerson: z.number().min(0),
    allTravellers: z.number().min(0).describe("perPerson × travellers"),
    currency: currencyCodeSchema,
  })
  .meta({ id: "EstimatedTotal" });

const tokenUsage = tokenUsageSchema.meta({ id: "TokenUsage" });

const timestamp = z.iso.datetime().describe("An ISO 8601 timestamp in UTC");

const linksSchema = z.object({
  self: z.string().describe("The job's JSON resource (a path on this server)"),
  page: z.string().describe("The job's status page for people (a path on this server)"),
});

export const itineraryStatusSchema = z
  .enum(STATUSES)
  .describe("processing → completed | failed | cancelled; retry moves failed or cancelled back to processing");

export const itineraryResourceSchema = z.object({
  id: z.uuid(),
  status: itineraryStatusSchema,
  destination: z.string(),
  durationDays: z.number().int().min(1).max(MAX_DAYS),
  startDate: z.iso.date().nullable(),
  preferences: z.object({
    interests: z.array(z.string()),
    pace: z.enum(PACES),
    budget: z.enum(BUDGETS),
    travellers: z.number().int().min(1),
  }),
  progress: z.number().int().min(0).max(100),
  stage: z.string().describe("The current stage in words, for people"),
  outline: outline.nullable(),
  currency: currencyCodeSchema.nullable().describe("The trip's currency (ISO 4217), once the outline is written"),
  timeZone: z.string().nullable().describe("The destination's IANA time zone, when known"),
  center: coordinatesSchema.nullable().describe("The destination's centre, when known"),
  estimatedTotal: estimatedTotal.nullable().describe("Computed: every day's cost added up, once the trip is priced"),
  days: z.array(dayPlan).describe("Days landed so far, in order (all of them once completed)"),
  daysCompleted: z.number().int().min(0),
  itinerary: z.array(dayPlan).nullable().describe("The finished itinerary, or null until the job completes"),
  error: z.string().nullable().describe("A message a person can act on, once failed"),
  model: z.string().describe('The model in use, e.g. "openai:gpt-5-mini" or "demo model"'),
  usage: tokenUsage.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  completedAt: timestamp.nullable(),
  links: linksSchema,
}).meta({ id: "ItineraryResource" });

export const itinerarySummarySchema = z.object({
  id: z.uuid(),
  status: itineraryStatusSchema,
  destination: z.string(),
  durationDays: z.number().int().min(1).max(MAX_DAYS),
  startDate: z.iso.date().nullable(),
  progress: z.number().int().min(0).max(100),
  title: z.string().nullable().describe("The outline's title, once written"),
  model: z.string(),
  createdAt: timestamp,
  completedAt: timestamp.nullable(),
  links: linksSchema,
}).meta({ id: "ItinerarySummary" });

export type ItineraryResource = z.infer<typeof itineraryResourceSchema>;
export type ItinerarySummary = z.infer<typeof itinerarySummarySchema>;
