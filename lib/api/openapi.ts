import "server-only";
import { z } from "zod";
import { createDocument, type ZodOpenApiResponseObject } from "zod-openapi";
import { listQuerySchema, MAX_IDEMPOTENCY_KEY_LENGTH } from "@/lib/api/itineraries";
import { MAX_DAYS } from "@/lib/domain/constants";
import { previewSchema } from "@/lib/domain/preview";
import { revisionRequestSchema } from "@/lib/domain/revision";
import { itineraryResourceSchema } from "@/lib/domain/resource";
import { itineraryRequestSchema, jobIdSchema } from "@/lib/domain/trip";
import type { ErrorCode } from "@/lib/errors";
import {
  errorEnvelopeSchema,
  healthSchema,
  itineraryListPageSchema,
  livenessSchema,
  realtimeTokenSchema,
  submitAnswerSchema,
} from "./schemas";

// The OpenAPI 3.1 document of the JSON API, rendered from the zod schemas the routes
// validate with and the presenter answers with (GET /api/openapi.json serves it).

// Rendered where it is used (input only): its transforms have no output-side JSON Schema.
const itineraryRequestBody = itineraryRequestSchema.meta({ id: "ItineraryRequest" });

const json = (schema: z.ZodType) => ({ "application/json": { schema } });

const seconds = (description: string) => z.number().int().min(0).meta({ description });
const retryAfter = seconds("Seconds to wait before asking again");
const etag = z.string().meta({ description: "The version of the job resource (weak validator)" });

function errors(description: string, codes: ErrorCode[], headers?: z.ZodObject): ZodOpenApiResponseObject {
  return {
    description: `${description} (code: ${codes.join(", ")})`,
    content: json(errorEnvelopeSchema),
    ...(headers ? { headers } : {}),
  };
}

const withRetryAfter = z.object({ "Retry-After": retryAfter });
const notFound = errors("No itinerary has this id (malformed ids included)", ["not_found"]);
const unauthorized = errors(
  "API keys are configured and the request has no valid Authorization: Bearer key",
  ["unauthorized"],
);
const notYours = errors("No itinerary has this id, or it is not the caller's to change (the same answer for both)", ["not_found"]);
const crossOrigin = errors("A browser write from an origin that is neither this app's nor in CORS_ALLOWED_ORIGINS", ["forbidden"]);
/** What every change of a job says about who may make it. */
const OWNER_ONLY =
  "Only the job's owner may do this: the API key it was created with, or the browser that created it (its owner cookie, same origin). A job without an owner may be changed by anyone holding its id while the server has no API keys. Anyone else gets 404, as for an unknown id; reading the job stays public.";
const unavailable = errors("The database or the job queue is unreachable", ["database_unavailable", "dispatch_failed"], withRetryAfter);
const unexpected = errors("Something went wrong on our side", ["internal_error"]);

const idempotencyKeyHeader = (description: string) =>
  z.object({ "Idempotency-Key": z.string().min(1).max(MAX_IDEMPOTENCY_KEY_LENGTH).optional().meta({ description }) });

const idParams = { path: z.object({ id: jobIdSchema.meta({ description: "The job id" }) }) };
const dayNumber = z.number().int().min(1).max(MAX_DAYS).meta({ description: "The day, from 1" });
const dayParams = { path: z.object({ id: jobIdSchema.meta({ description: "The job id" }), day: dayNumber }) };
const dayConflict = errors(
  "The job is not completed (details.status), the day is being changed already, or (undo) it has no earlier version",
  ["conflict"],
);
const resourceResponse = (description: string, headers?: z.ZodObject): ZodOpenApiResponseObject => ({
  description,
  content: json(itineraryResourceSchema),
  ...(headers ? { headers } : {}),
});

const bearer = [{ bearerAuth: [] }];

function buildDocument() {
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Itinera API",
      version: "1.0.0",
      description:
        "AI travel itineraries generated as durable background jobs: submit a request (202), then poll, stream or wait for the job. Every error is { error: { code, message, details? } }. See docs/api.md.",
    },
    tags: [{ name: "itineraries" }, { name: "meta" }],
    paths: {
      "/api/itineraries": {
        post: {
          operationId: "submitItinerary",
          tags: ["itineraries"],
          summary: "Request an itinerary",
          description:
            "Answers at once with the job, owned by the caller: its API key, or the browser's owner cookie. An Idempotency-Key makes retries safe for 24 hours within the caller's own jobs: the same key with the same body returns the same job; with another body, 422 idempotency_key_reused. With API keys configured, a key (or a same-origin browser that owns trips) is required; without any, the job has no owner.",
          security: [{ bearerAuth: [] }, {}],
          requestParams: {
            header: idempotencyKeyHeader("Any unique string; retries with it return the original job"),
          },
          requestBody: { required: true, content: json(itineraryRequestBody) },
          responses: {
            "202": {
              description: "Accepted: the job (or, for a repeated Idempotency-Key, the original job)",
              content: json(submitAnswerSchema),
              headers: z.object({
                Location: z.url().meta({ description: "The job's status URL" }),
                "Retry-After": retryAfter.optional(),
              }),
            },
            "400": errors("Malformed JSON, an empty body or a bad Idempotency-Key", ["invalid_json", "bad_request"]),
            "401": errors("A key that is not valid, or none while API keys are configured", ["unauthorized"]),
            "403": crossOrigin,
            "413": errors("The body is larger than 16 KiB", ["payload_too_large"]),
            "415": errors("The body is not application/json", ["unsupported_media_type"]),
            "422": errors("Invalid fields (details.fields), or an Idempotency-Key reused with another body", [
              "validation_failed",
              "idempotency_key_reused",
            ]),
            "429": errors("Too many jobs from this client", ["rate_limited", "too_many_active_jobs"], withRetryAfter),
            "503": unavailable,
            default: unexpected,
          },
        },
        get: {
          operationId: "listItineraries",
          tags: ["itineraries"],
          summary: "The caller's jobs, newest first",
          description:
            "History is private: lists only the jobs the caller owns (its API key, or the browser's owner cookie); an anonymous caller on a server without API keys sees the ownerless jobs. Cursor pagination: pass nextCursor back as ?cursor=. With API keys configured, an anonymous caller gets 401.",
          security: bearer,
          requestParams: { query: listQuerySchema },
          responses: {
            "200": { description: "A page of jobs", content: json(itineraryListPageSchema) },
            "400": errors("The query string is not valid (details.fields)", ["bad_request"]),
            "401": unauthorized,
            "503": unavailable,
            default: unexpected,
          },
        },
      },
      "/api/itineraries/{id}": {
        get: {
          operationId: "getItinerary",
          tags: ["itineraries"],
          summary: "The job: status, progress, days so far, result or error",
          description:
            "Public: the id is the capability. Poll with If-None-Match to get 304 while nothing changed, and honour Retry-After while the job is processing or one of its days is being revised.",
          requestParams: {
            ...idParams,
            header: z.object({
              "If-None-Match": z
                .string()
                .optional()
                .meta({ description: "An ETag from an earlier answer; 304 when the job is unchanged" }),
            }),
          },
          responses: {
            "200": resourceResponse(
              "The job",
              z.object({ ETag: etag, "Retry-After": retryAfter.optional().meta({ description: "Sent while processing" }) }),
            ),
            "304": {
              description: "Not modified since the ETag in If-None-Match",
              headers: z.object({ ETag: etag, "Retry-After": retryAfter.optional() }),
            },
            "404": notFound,
            "503": unavailable,
            default: unexpected,
          },
        },
        delete: {
          operationId: "deleteItinerary",
          tags: ["itineraries"],
          summary: "Delete a job, its days and its steps",
          description: `A processing job's run is stopped. ${OWNER_ONLY}`,
          security: [{ bearerAuth: [] }, {}],
          requestParams: idParams,
          responses: {
            "204": { description: "Deleted" },
            "401": unauthorized,
            "403": crossOrigin,
            "404": notYours,
            "503": unavailable,
            default: unexpected,
          },
        },
      },
      "/api/itineraries/{id}/cancel": {
        post: {
          operationId: "cancelItinerary",
          tags: ["itineraries"],
          summary: "Stop a job that is still processing",
          description: OWNER_ONLY,
          security: [{ bearerAuth: [] }, {}],
          requestParams: idParams,
          responses: {
            "202": resourceResponse("Cancelled: the job, now cancelled"),
            "401": unauthorized,
            "403": crossOrigin,
            "404": notYours,
            "409": errors("The job already ended (details.status)", ["conflict"]),
            "503": unavailable,
            default: unexpected,
          },
        },
      },
      "/api/itineraries/{id}/retry": {
        post: {
          operationId: "retryItinerary",
          tags: ["itineraries"],
          summary: "Start a failed or cancelled job again",
          description: `Days already generated and the outline are kept; only what is missing is generated. ${OWNER_ONLY}`,
          security: [{ bearerAuth: [] }, {}],
          requestParams: idParams,
          responses: {
            "202": resourceResponse("Processing again: the job", z.object({ "Retry-After": retryAfter })),
            "401": unauthorized,
            "403": crossOrigin,
            "404": notYours,
            "409": errors("The job is processing or completed (details.status)", ["conflict"]),
            "503": unavailable,
            default: unexpected,
          },
        },
      },
      "/api/itineraries/{id}/days/{day}/revisions": {
        post: {
          operationId: "reviseItineraryDay",
          tags: ["itineraries"],
          summary: "Rewrite one day of a completed trip, as the instruction says",
          description: `Answers at once with the job: the day is \`revising\` (its plan unchanged) until the new revision lands — \`revision\` one higher, \`state\` ready — or fails (\`state\` failed, \`error\` says why, the plan unchanged). The job's status stays completed. One model call; live updates and previews come over the event stream. The instruction is data for the model, never instructions to it. An Idempotency-Key makes a retry answer the same revision. ${OWNER_ONLY}`,
          security: [{ bearerAuth: [] }, {}],
          requestParams: {
            ...dayParams,
            header: idempotencyKeyHeader("Any unique string; a retry with it answers the same revision"),
          },
          requestBody: { required: true, content: json(revisionRequestSchema) },
          responses: {
            "202": resourceResponse(
              "Accepted: the job, with the day revising",
              z.object({ Location: z.url().meta({ description: "The job's status URL" }), "Retry-After": retryAfter }),
            ),
            "400": errors("Malformed JSON, an empty body or a bad Idempotency-Key", ["invalid_json", "bad_request"]),
            "401": unauthorized,
            "403": crossOrigin,
            "404": errors("No itinerary has this id, it is not the caller's to change, or it has no such day", ["not_found"]),
            "409": dayConflict,
            "422": errors("The instruction is missing, empty, longer than 500 characters or not plain text (details.fields)", ["validation_failed"]),
            "503": unavailable,
            default: unexpected,
          },
        },
      },
      "/api/itineraries/{id}/days/{day}/undo": {
        post: {
          operationId: "undoItineraryDay",
          tags: ["itineraries"],
          summary: "Put back the version a day was made from",
          description: `Revisions are kept: each undo steps back one change (a revision or a removed activity). ${OWNER_ONLY}`,
          security: [{ bearerAuth: [] }, {}],
          requestParams: dayParams,
          responses: {
            "200": resourceResponse("The job, with the day's previous version on show"),
            "401": unauthorized,
            "403": crossOrigin,
            "404": errors("No itinerary has this id, it is not the caller's to change, or it has no such day", ["not_found"]),
            "409": dayConflict,
            "503": unavailable,
            default: unexpected,
          },
        },
      },
      "/api/itineraries/{id}/days/{day}/activities/{index}": {
        delete: {
          operationId: "removeItineraryActivity",
          tags: ["itineraries"],
          summary: "Remove one activity from a day, as a new revision",
          description: `The stop after it then comes from the stop before it: its travel is estimated again (from the places' coordinates when known) and the day's and trip's totals are recomputed. Undo brings the activity back. A day keeps at least one activity. ${OWNER_ONLY}`,
          security: [{ bearerAuth: [] }, {}],
          requestParams: {
            path: z.object({
              id: jobIdSchema.meta({ description: "The job id" }),
              day: dayNumber,
              index: z.number().int().min(0).meta({ description: "The activity's position in the day, from 0" }),
            }),
          },
          responses: {
            "200": resourceResponse("The job, with the day's new revision"),
            "401": unauthorized,
            "403": crossOrigin,
            "404": errors("No itinerary has this id, it is not the caller's to change, or it has no such day or activity", ["not_found"]),
            "409": dayConflict,
            "503": unavailable,
            default: unexpected,
          },
        },
      },
      "/api/itineraries/{id}/events": {
        get: {
          operationId: "streamItineraryEvents",
          tags: ["itineraries"],
          summary: "Server-Sent Events: a snapshot of the job on every change, previews while the model writes",
          description:
            "Each change is sent as `event: snapshot`, `id:` (the job's version, for Last-Event-ID) and `data:` holding the job resource as JSON (the ItineraryResource schema); `retry:` sets the reconnection delay. While the job is processing, or one of its days is being revised, `event: partial` (no `id:`) carries a preview of what the model is writing — the outline or one day, partial and unchecked, at most about 4 batches a second — as JSON (the Preview schema); the next snapshot holding that part replaces it, and a preview with `value: null` is withdrawn (its step failed and will be retried). Previews are never stored: a reconnecting client gets the ones on show now after its snapshot. `event: deleted` tells that the job was deleted. The stream closes once the job has finished and no day of it is being revised (and after a few minutes; reconnect with Last-Event-ID). Each server keeps a bounded number of streams open, per client (its API key, owner cookie or trusted address) and in all; past either, 429 too_many_streams: poll the job instead.",
          requestParams: {
            ...idParams,
            header: z.object({
              "Last-Event-ID": z
                .string()
                .optional()
                .meta({ description: "The last event id seen; a snapshot is sent only if the job changed since" }),
            }),
          },
          responses: {
            "200": {
              description:
                "An event stream of snapshot events (data: ItineraryResource as JSON) and partial events (data: Preview as JSON)",
              content: { "text/event-stream": { schema: z.string() } },
            },
            "401": errors("The Authorization key is not valid", ["unauthorized"]),
            "404": notFound,
            "429": errors(
              "Too many live streams open: SSE_MAX_PER_CLIENT for this client, or SSE_MAX_STREAMS on this server. Poll GET /api/itineraries/{id} instead",
              ["too_many_streams"],
              withRetryAfter,
            ),
            "503": unavailable,
            default: unexpected,
          },
        },
      },
      "/api/itineraries/{id}/realtime-token": {
        get: {
          operationId: "getItineraryRealtimeToken",
          tags: ["itineraries"],
          summary: "An Inngest Realtime subscription token for the job's live updates (Inngest runner only)",
          description:
            "For servers that run jobs on Inngest: a token to subscribe to the job's Inngest Realtime channel, `itinerary:<id>`, as the Inngest SDK's `subscribe` or `useRealtime` (inngest/react) take it. Topic `changed` says the job changed (read it again); topic `partial` carries previews of what the model is writing (the Preview schema). Anyone who may read the job may have one, as for GET /api/itineraries/{id}. The token expires after a few minutes; ask again to reconnect. On the local runner there is no realtime channel: 409 conflict (details.runner: \"local\"); follow GET /api/itineraries/{id}/events instead, which works on both runners.",
          requestParams: idParams,
          responses: {
            "200": { description: "The token", content: json(realtimeTokenSchema) },
            "404": notFound,
            "409": errors("The server runs jobs on the local runner, which has no realtime channel (details.runner)", ["conflict"]),
            "503": unavailable,
            default: unexpected,
          },
        },
      },
      "/api/health": {
        get: {
          operationId: "getHealth",
          tags: ["meta"],
          summary: "Is the database reachable; which runner and model are in use",
          responses: {
            "200": { description: "Healthy", content: json(healthSchema) },
            "503": { description: "Degraded: the database is unreachable or its schema is behind", content: json(healthSchema) },
            default: unexpected,
          },
        },
      },
      "/api/health/live": {
        get: {
          operationId: "getLiveness",
          tags: ["meta"],
          summary: "Liveness: the server process answers",
          description:
            "Touches neither the database nor the model, so a process manager can restart a hung server without restarting healthy ones during a database outage (GET /api/health reports that).",
          responses: {
            "200": { description: "The process is serving requests", content: json(livenessSchema) },
          },
        },
      },
      "/api/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          tags: ["meta"],
          summary: "This document",
          responses: {
            "200": {
              description: "The OpenAPI 3.1 document",
              content: json(z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) })),
            },
          },
        },
      },
    },
    components: {
      // Not referenced by any JSON answer: the `partial` events of the event stream carry it.
      schemas: { Preview: previewSchema },
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "One of the server's API_KEYS. Needed only when the server has API keys configured.",
        },
      },
    },
  });
}

export type OpenApiDocument = ReturnType<typeof buildDocument>;

let cached: OpenApiDocument | undefined;

/** The document, built once per process (the schemas do not change at run time). */
export function openApiDocument(): OpenApiDocument {
  cached ??= buildDocument();
  return cached;
}
