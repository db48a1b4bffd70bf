import { z } from "zod";
import {
  BUDGETS,
  dayPlanSchema,
  MAX_DAYS,
  outlineSchema,
  PACES,
  STATUSES,
  tokenUsageSchema,
} from "./trip";

// The public shape of a job: what the JSON API answers with, what the status page renders,
// what live updates and webhooks carry. The presenter's types are inferred from these and
// the OpenAPI document renders them, so the two cannot drift apart. Each `id` names the
// schema's component in that document.

const outline = outlineSchema.meta({ id: "Outline" });
const dayPlan = dayPlanSchema.meta({ id: "DayPlan" });
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
