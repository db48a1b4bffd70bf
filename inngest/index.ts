import { generateItineraryFunction } from "./functions/generate-itinerary";

export { inngest } from "./client";
export const functions = [generateItineraryFunction];
