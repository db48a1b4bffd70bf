import { describe, expect, it } from "vitest";
import { dayCost, dayDate, endTime, mapsUrl, totalCost, weekdayOf } from "@/lib/domain/plan-facts";
import { presentItinerary } from "@/lib/domain/presenter";
import { dayPlanSchema, outlineSchema, timelineProblem, type Activity, type DayPlan } from "@/lib/domain/trip";

// A plan a traveller can use: the timeline holds (in order, room for travel, nothing past
// midnight), and what follows from the model's answer (end times, map links, dates,
// totals) is computed, not asked for.

const activity = (startTime: string, durationMinutes: number, travelMinutes: number | null, amount = 10): Activity => ({
  timeOfDay: "morning",
  startTime,
  durationMinutes,
  title: `At ${startTime}`,
  description: "Something to do.",
  place: "Somewhere",
  location: null,
  category: "sightseeing",
  estimatedCost: `≈ €${amount}`,
  cost: { amount, currency: "EUR" },
  travelFromPrevious: travelMinutes === null ? null : { mode: "walk", minutes: travelMinutes },
});

const day = (...activities: Activity[]): DayPlan => ({ day: 1, theme: "A day", activities });

describe("the day's timeline", () => {
  it("holds when each stop starts after the previous one ends plus the travel to it", () => {
    expect(timelineProblem([activity("09:00", 120, null), activity("11:15", 60, 15), activity("19:00", 120, 30)])).toBeNull();
    expect(dayPlanSchema.safeParse(day(activity("09:00", 120, null), activity("11:15", 60, 15))).success).toBe(true);
  });

  it("fails, like a schema mismatch, when stops overlap, leave no time to travel, run out of order or past midnight", () => {
    const cases: Activity[][] = [
      [activity("09:00", 120, null), activity("10:30", 60, 0)], // overlap
      [activity("09:00", 120, null), activity("11:00", 60, 20)], // no time to get there
      [activity("14:00", 60, null), activity("09:00", 60, 10)], // out of order
      [activity("23:00", 90, null)], // past midnight
    ];
    for (const activities of cases) {
      expect(timelineProblem(activities)).not.toBeNull();
      const parsed = dayPlanSchema.safeParse(day(...activities));
      expect(parsed.success).toBe(false);
    }
  });

  it("refuses coordinates out of range and currencies that are not ISO codes", () => {
    const located = { ...activity("09:00", 60, null), location: { latitude: 91, longitude: 0 } };
    expect(dayPlanSchema.safeParse(day(located)).success).toBe(false);
    const euros = { ...activity("09:00", 60, null), cost: { amount: 5, currency: "€" } };
    expect(dayPlanSchema.safeParse(day(euros)).success).toBe(false);
    const outline = { title: "t", summary: "s", currency: "eur", timeZone: null, center: null, days: [], tips: ["x"] };
    expect(outlineSchema.safeParse(outline).success).toBe(false);
  });
});

describe("what we compute", () => {
  it("end times, dates and weekdays", () => {
    expect(endTime("09:30", 120)).toBe("11:30");
    expect(endTime("23:00", 59)).toBe("23:59");
    expect(dayDate("2027-02-27", 3)).toBe("2027-03-01");
    expect(dayDate(null, 3)).toBeNull();
    expect(weekdayOf("2027-03-01")).toBe("Monday");
  });

  it("map links: the exact point when known, the place and destination by name otherwise", () => {
    const byName = new URL(mapsUrl("Nishiki Market", "Kyoto, Japan", null));
    expect(byName.origin).toBe("https://www.google.com");
    expect(byName.searchParams.get("query")).toBe("Nishiki Market, Kyoto, Japan");
    const byPoint = new URL(mapsUrl("Nishiki Market", "Kyoto, Japan", { latitude: 35.005, longitude: 135.764 }));
    expect(byPoint.searchParams.get("query")).toBe("35.005,135.764");
  });

  it("adds costs up in the trip's currency, to the cent", () => {
    expect(dayCost(day(activity("09:00", 60, null, 10.1), activity("11:00", 60, 15, 0.2)), "EUR")).toEqual({ amount: 10.3, currency: "EUR" });
    expect(totalCost([{ amount: 5, currency: "EUR" }, { amount: 7, currency: "USD" }], "EUR")).toEqual({ amount: 5, currency: "EUR" });
    expect(totalCost([], "EUR")).toBeNull();
  });

  it("presents each day's date, cost and activities' end times, and the trip's total for all travellers", () => {
    const days = [day(activity("09:00", 90, null, 12), activity("11:00", 60, 15, 8)), { ...day(activity("10:00", 60, null, 5)), day: 2 }];
    const resource = presentItinerary(
      {
        id: "6f1c2d4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f",
        status: "completed",
        destination: "Lisbon, Portugal",
        durationDays: 2,
        startDate: "2027-05-01",
        interests: [],
        pace: "balanced",
        budget: "moderate",
        travellers: 3,
        progress: 100,
        outline: {
          title: "Lisbon",
          summary: "Two days.",
          currency: "EUR",
          timeZone: "Europe/Lisbon",
          center: { latitude: 38.72, longitude: -9.14 },
          days: [
            { day: 1, theme: "A day", area: "Alfama", highlights: ["Castle", "Cathedral"] },
            { day: 2, theme: "Another", area: "Belém", highlights: ["Tower", "Monastery"] },
          ],
          tips: ["Walk."],
        },
        itinerary: days,
        error: null,
        model: "demo model",
        usage: null,
        createdAt: new Date(),
        updatedAt: new Date(),
        completedAt: new Date(),
      },
      [],
    );
    expect(resource.days.map((entry) => [entry.date, entry.area, entry.estimatedCost?.amount])).toEqual([
      ["2027-05-01", "Alfama", 20],
      ["2027-05-02", "Belém", 5],
    ]);
    expect(resource.days[0]!.activities.map((entry) => entry.endTime)).toEqual(["10:30", "12:00"]);
    expect(resource.days[0]!.activities[0]!.travelFromPrevious).toBeNull();
    expect(resource.estimatedTotal).toEqual({ perPerson: 25, allTravellers: 75, currency: "EUR" });
    expect(resource).toMatchObject({ currency: "EUR", timeZone: "Europe/Lisbon", center: { latitude: 38.72 } });
  });
});

describe("the trip's time zone", () => {
  it("keeps current and canonical IANA names, and drops what the runtime does not know", async () => {
    const { knownTimeZone } = await import("@/lib/workflow/generate-steps");
    expect(knownTimeZone("Europe/Lisbon")).toBe("Europe/Lisbon");
    expect(knownTimeZone("Asia/Kolkata")).toBe("Asia/Kolkata");
    expect(knownTimeZone("Europe/Kyiv")).toBe("Europe/Kyiv");
    expect(knownTimeZone("Mars/Olympus_Mons")).toBeNull();
    expect(knownTimeZone("CET")).toBeNull();
    expect(knownTimeZone(null)).toBeNull();
  });
});
