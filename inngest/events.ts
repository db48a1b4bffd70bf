import { eventType } from "inngest";
import { z } from "zod";

// Event names follow `domain/noun.verb`-ish Inngest conventions; data carries only the id,
// the row holds the request.

// runKey names one run of the job: the job id for the first, a fresh key for each retry.
// It is the event id and the function's idempotency key, so a re-sent event never starts
// a second run, while an explicit retry does.
export const itineraryRequested = eventType("itinerary/requested", {
  schema: z.object({ id: z.string(), runKey: z.string() }),
});

export const itineraryCancelled = eventType("itinerary/cancelled", {
  schema: z.object({ id: z.string() }),
});

// A job ended (completed, failed or cancelled) and has a callback URL: send its webhook.
export const itineraryEnded = eventType("itinerary/ended", {
  schema: z.object({ id: z.string(), status: z.enum(["completed", "failed", "cancelled"]) }),
});

// Revision `revision` of day `day` was asked for: rewrite the day. The three name the run
// (event id and idempotency key), so a re-sent event never rewrites the day twice.
export const itineraryDayRevisionRequested = eventType("itinerary/day.revision-requested", {
  schema: z.object({ id: z.string(), day: z.number().int().min(1), revision: z.number().int().min(2) }),
});

// Revision `revision` of day `day` landed or failed, and the job has a callback URL: send
// its `itinerary.updated` webhook. `at` is when (the webhook's timestamp on every retry).
// The event id names the job, day, revision and outcome, so a re-send is dropped.
export const itineraryUpdated = eventType("itinerary/updated", {
  schema: z.object({
    id: z.string(),
    day: z.number().int().min(1),
    revision: z.number().int().min(2),
    outcome: z.enum(["landed", "failed"]),
    at: z.string(),
  }),
});
