import { eventType } from "inngest";
import { z } from "zod";

// Event names follow `domain/noun.verb`-ish Inngest conventions; data carries only the id,
// the row holds the request.

export const itineraryRequested = eventType("itinerary/requested", {
  schema: z.object({ id: z.string() }),
});

export const itineraryCancelled = eventType("itinerary/cancelled", {
  schema: z.object({ id: z.string() }),
});
