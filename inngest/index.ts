import { deliverItineraryWebhookFunction } from "./functions/deliver-itinerary-webhook";
import { expireOldItinerariesFunction } from "./functions/expire-old-itineraries";
import { generateItineraryFunction } from "./functions/generate-itinerary";
import { reviseItineraryDayFunction } from "./functions/revise-itinerary-day";
import { sweepStaleItinerariesFunction } from "./functions/sweep-stale-itineraries";

export { inngest } from "./client";
export const functions = [
  generateItineraryFunction,
  sweepStaleItinerariesFunction,
  deliverItineraryWebhookFunction,
  expireOldItinerariesFunction,
  reviseItineraryDayFunction,
];
