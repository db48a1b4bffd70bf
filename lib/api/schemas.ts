import { z } from "zod";
import { itinerarySummarySchema, itineraryStatusSchema } from "@/lib/domain/resource";
import { ERROR_STATUS, type ErrorCode } from "@/lib/errors";

// The shapes only the HTTP API speaks: a page of the list, the answer to a submit, the
// error envelope and the health checks. The job resource itself is the domain's
// (lib/domain/resource.ts). The OpenAPI document renders all of them.

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

export const realtimeTokenSchema = z
  .object({
    key: z.string().describe("The subscription token (a JWT Inngest signed); it expires after a few minutes: ask for another"),
    channel: z.string().describe('The job\'s channel, "itinerary:<id>"'),
    topics: z
      .array(z.enum(["changed", "partial"]))
      .describe("changed: the job changed, read it again (data: { at }); partial: a preview (data: the Preview schema)"),
    apiBaseUrl: z.string().optional().describe("The Inngest API to connect to (its /v1/realtime/connect WebSocket)"),
  })
  .meta({ id: "RealtimeToken" });

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
  leader: z
    .boolean()
    .nullable()
    .meta({
      description:
        "Local runner: whether this instance runs the jobs (one instance per database does; the others hand work to it). Null with Inngest, or before the runner started.",
    }),
  model: z.object({ label: z.string(), kind: z.string() }),
}).meta({ id: "Health" });

export const livenessSchema = z.object({ status: z.literal("ok") }).meta({ id: "Liveness" });

export type ItineraryListPage = z.infer<typeof itineraryListPageSchema>;
export type SubmitAnswer = z.infer<typeof submitAnswerSchema>;
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
export type Health = z.infer<typeof healthSchema>;
