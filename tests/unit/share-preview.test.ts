import { describe, expect, it } from "vitest";
import { presentItinerary, type StoredItinerary } from "@/lib/domain/presenter";
import { tripPreview } from "@/lib/domain/share-preview";
import { demoDay, demoOutline } from "@/lib/llm/demo-model";
import type { TripData } from "@/lib/llm/prompts";
import { dayTaskFor } from "../helpers/demo-trip";

// A shared link previews as the trip, destination and length only: a preview is seen by
// whoever the link is pasted in front of, before they choose to open it.

const trip: TripData = {
  destination: "Porto, Portugal",
  durationDays: 3,
  startDate: "2027-04-10",
  interests: ["wine cellars", "azulejos"],
  pace: "packed",
  budget: "luxury",
  travellers: 4,
};
const outline = demoOutline({ task: "outline", trip });
const days = outline.days.map(({ day }) => demoDay(dayTaskFor(trip, outline, day)));
const stored: StoredItinerary = {
  id: "6f1c2d4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f",
  status: "completed",
  ...trip,
  progress: 100,
  outline,
  itinerary: days,
  error: null,
  model: "demo model",
  usage: null,
  createdAt: new Date("2027-03-01T09:00:00.000Z"),
  updatedAt: new Date("2027-03-01T09:01:00.000Z"),
  completedAt: new Date("2027-03-01T09:01:00.000Z"),
};

describe("tripPreview", () => {
  it("names the destination and the trip's length", () => {
    expect(tripPreview(stored)).toEqual({
      title: "Porto, Portugal: a 3-day itinerary",
      description: "A 3-day trip to Porto, Portugal, planned day by day with Itinera.",
    });
    expect(tripPreview({ destination: "Ghent", durationDays: 1 }).title).toBe("Ghent: a 1-day itinerary");
  });

  it("says nothing else about the trip or its travellers, from the row or the presented job", () => {
    for (const source of [stored, presentItinerary(stored, [])]) {
      const preview = JSON.stringify(tripPreview(source));
      for (const secret of [...trip.interests, trip.pace, trip.budget, "4 travellers", "travellers", trip.startDate!, outline.title]) {
        expect(preview).not.toContain(secret);
      }
    }
  });
});
