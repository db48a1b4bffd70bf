import { z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "@/lib/errors";
import {
  BUDGETS,
  dayPlanSchema,
  MAX_DAYS,
  outlineSchema,
  PACES,
  STATUSES,
  tokenUsageSchema,
} from "./schema";

// The public shapes the JSON API answers with. The presenter's types are inferred from
// these, and the OpenAPI document renders them, so the two cannot drift apart. Each `id`
// names the schema's component in that document.

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

export const itineraryListPageSchema = z.object({
  data: z.array(itinerarySummarySchema).describe("Newest first"),
  nextCursor: z
    .string()
    .nullable()
    .describe("Pass as ?cursor= for the next page; null on the last page"),
}).meta({ id: "ItineraryListPage" });

export const submitAnswerSchema = z.object({
  jobId: z.uuid(),
  status: itineraryStatusSchema,
  statusUrl: z.url().describe("Poll this URL (also sent as Location)"),
  pageUrl: z.url().describe("The job's status page for people"),
}).meta({ id: "SubmitAnswer" });

const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string().describe("Written for people; never a stack trace, SQL or provider body"),
    details: z
      .looseObject({
        fields: z
          .record(z.string(), z.array(z.string()))
          .optional()
          .describe('Messages per field ("_" for the request as a whole), on validation errors'),
      })
      .optional(),
  }),
}).meta({ id: "Error" });

export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  database: z.object({
    ok: z.boolean(),
    driver: z.string().nullable(),
    latencyMs: z.number().nullable(),
    error: z.string().optional(),
  }),
  schema: z
    .object({
      current: z.boolean().meta({ description: "Every migration this build knows about is applied." }),
      pending: z.array(z.string()).meta({ description: "Migrations not applied yet, oldest first." }),
      expected: z.string().nullable(),
    })
    .nullable()
    .meta({ description: "Null when the database could not be asked." }),
  runner: z.enum(["inngest", "local"]),
  model: z.object({ label: z.string(), kind: z.string() }),
}).meta({ id: "Health" });

export const livenessSchema = z.object({ status: z.literal("ok") }).meta({ id: "Liveness" });

export type ItineraryResource = z.infer<typeof itineraryResourceSchema>;
export type ItinerarySummary = z.infer<typeof itinerarySummarySchema>;
export type ItineraryListPage = z.infer<typeof itineraryListPageSchema>;
export type SubmitAnswer = z.infer<typeof submitAnswerSchema>;
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
export type HealthResource = z.infer<typeof healthSchema>;
