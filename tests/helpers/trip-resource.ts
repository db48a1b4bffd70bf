import { presentItinerary, type ItineraryResource } from "@/lib/domain/presenter";
import type { Activity, DayPlan, Outline } from "@/lib/domain/trip";

// A finished three-day trip to Lisbon, presented as the page and the exports see it. Written
// by hand (not by the demo model) so tests can put awkward model text exactly where they
// want it. 27–29 March 2027 spans the night Lisbon moves its clocks forward (28 March).

export const TRIP_ID = "6f1c2d4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f";

const activity = (overrides: Partial<Activity>): Activity => ({
  startTime: "09:00",
  durationMinutes: 90,
  title: "Castle walls at opening time",
  description: "Walk the ramparts before the crowds.",
  place: "Castelo de São Jorge",
  location: { latitude: 38.7139, longitude: -9.1334 },
  category: "sightseeing",
  cost: { amount: 15, currency: "EUR" },
  travelFromPrevious: null,
  ...overrides,
});

const day = (number: number, activities: Activity[]): DayPlan => ({ day: number, theme: `Theme of day ${number}`, activities });

export const tripDays: DayPlan[] = [
  day(1, [
    activity({ title: "Tea, sweets; and a \\ view" }),
    activity({
      startTime: "13:00",
      title: "Lunch in Alfama",
      description: "Line one\r# Not a heading\n===\n- not a list\n<script>alert(1)</script> *still text*",
      place: "Rua dos\rRemédios",
      location: null,
      category: "food",
      cost: { amount: 22.5, currency: "EUR" },
      travelFromPrevious: { mode: "walk", minutes: 12 },
    }),
  ]),
  day(2, [activity({ title: "Tram 28", cost: { amount: 0, currency: "EUR" } })]),
  day(3, [activity({ title: "Belém tower", location: { latitude: 38.6916, longitude: -9.216 } })]),
];

export const tripOutline: Outline = {
  title: "Three days of Lisbon light",
  summary: "Hills, trams and tiles.\n## Not a heading either",
  currency: "EUR",
  timeZone: "Europe/Lisbon",
  center: { latitude: 38.7223, longitude: -9.1393 },
  days: tripDays.map((plan) => ({ day: plan.day, theme: plan.theme, area: `Area ${plan.day}`, highlights: ["A", "B"] })),
  tips: ["Wear shoes with grip:\nthe pavements are polished stone."],
};

/** The trip as presented; `outline` overrides (e.g. the time zone) and the start date vary. */
export function lisbonTrip({ startDate = "2027-03-27", outline = {} }: { startDate?: string | null; outline?: Partial<Outline> } = {}): ItineraryResource {
  return presentItinerary(
    {
      id: TRIP_ID,
      status: "completed",
      destination: "Lisbon, Portugal",
      durationDays: 3,
      startDate,
      interests: [],
      pace: "balanced",
      budget: "moderate",
      travellers: 2,
      progress: 100,
      outline: { ...tripOutline, ...outline },
      itinerary: tripDays,
      error: null,
      model: "demo model",
      usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 },
      createdAt: new Date("2027-03-01T10:00:00.000Z"),
      updatedAt: new Date("2027-03-01T10:00:05.000Z"),
      completedAt: new Date("2027-03-01T10:00:05.000Z"),
    },
    [],
  );
}
