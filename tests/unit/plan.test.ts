import { describe, expect, it } from "vitest";
import { costInWords, dayCost, dayDate, endTime, mapsUrl, timeOfDay, totalCost, weekdayOf } from "@/lib/domain/plan-facts";
import { presentItinerary, type StoredItinerary } from "@/lib/domain/presenter";
import { itineraryResourceSchema } from "@/lib/domain/resource";
import {
  activitySchema,
  dayPlanSchema,
  modelDayPlan,
  outlineSchema,
  timelineProblem,
  type Activity,
  type DayPlan,
  type StoredDayPlan,
} from "@/lib/domain/trip";
import { parsePromptTask, reviseDayPrompt, type TripData } from "@/lib/llm/prompts";

// A plan a traveller can use: the timeline holds (in order, room for travel, nothing past
// midnight), and what follows from the model's answer (end times, times of day, costs in
// words, map links, dates, totals) is computed, not asked for.

const activity = (startTime: string, durationMinutes: number, travelMinutes: number | null, amount = 10): Activity => ({
  startTime,
  durationMinutes,
  title: `At ${startTime}`,
  description: "Something to do.",
  place: "Somewhere",
  location: null,
  category: "sightseeing",
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

/** A completed two-day trip in `currency`, stored with `days`. */
const storedTrip = (days: StoredDayPlan[], currency = "EUR"): StoredItinerary => ({
  id: "6f1c2d4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f",
  status: "completed",
  destination: "Lisbon, Portugal",
  durationDays: days.length,
  startDate: null,
  interests: [],
  pace: "balanced",
  budget: "moderate",
  travellers: 2,
  progress: 100,
  outline: {
    title: "Lisbon",
    currency,
    days: days.map((plan) => ({ day: plan.day, theme: plan.theme, area: "Alfama", highlights: ["Castle", "Cathedral"] })),
  },
  itinerary: days,
  error: null,
  model: "demo model",
  usage: null,
  createdAt: new Date("2027-03-01T10:00:00.000Z"),
  updatedAt: new Date("2027-03-01T10:00:05.000Z"),
  completedAt: new Date("2027-03-01T10:00:05.000Z"),
});

describe("times of day and costs in words", () => {
  it("are not asked of the model: the day schema has neither, and keeps every key required", () => {
    expect(Object.keys(activitySchema.shape)).not.toContain("timeOfDay");
    expect(Object.keys(activitySchema.shape)).not.toContain("estimatedCost");
    const answer = { ...activity("09:00", 60, null), timeOfDay: "evening", estimatedCost: "≈ €10" };
    const parsed = dayPlanSchema.parse(day(answer));
    expect(parsed.activities[0]).not.toHaveProperty("timeOfDay");
    expect(parsed.activities[0]).not.toHaveProperty("estimatedCost");
  });

  it("time of day: morning before 12:00, afternoon from 12:00, evening from 17:00", () => {
    const at = (times: string[]) => times.map(timeOfDay);
    expect(at(["00:00", "06:30", "11:59"])).toEqual(["morning", "morning", "morning"]);
    expect(at(["12:00", "14:30", "16:59"])).toEqual(["afternoon", "afternoon", "afternoon"]);
    expect(at(["17:00", "19:30", "23:45"])).toEqual(["evening", "evening", "evening"]);
  });

  it("cost in words: per person in the currency's own way, Free for 0, an old plan's text only without a number", () => {
    const words = (amount: number, currency: string) => costInWords({ cost: { amount, currency } });
    expect(words(0, "EUR")).toBe("Free");
    expect(words(0, "JPY")).toBe("Free");
    expect(words(15, "EUR")).toBe("€15 per person");
    expect(words(12.5, "EUR")).toBe("€12.50 per person");
    expect(words(1500, "JPY")).toBe("¥1,500 per person");
    expect(words(8, "USD")).toBe("$8 per person");
    expect(words(22, "GBP")).toBe("£22 per person");
    expect(words(12, "CHF")).toBe("CHF 12 per person");
    // The stored text loses to the number; it is kept only where there is no number.
    expect(costInWords({ cost: { amount: 15, currency: "EUR" }, estimatedCost: "≈ €15" })).toBe("€15 per person");
    expect(costInWords({ cost: { amount: 0, currency: "EUR" }, estimatedCost: "Free entry" })).toBe("Free");
    expect(costInWords({ estimatedCost: "≈ ¥1,500" })).toBe("≈ ¥1,500");
    expect(costInWords({ cost: null, estimatedCost: "about 20 euros" })).toBe("about 20 euros");
  });

  it("a new plan presents them computed, in the public shape", () => {
    const plan: DayPlan = {
      day: 1,
      theme: "A day",
      activities: [
        { ...activity("09:00", 120, null, 0), title: "Castle" },
        { ...activity("12:00", 90, 15, 22.5), title: "Lunch" },
        { ...activity("16:45", 60, 10, 8), title: "Tiles" },
        { ...activity("17:55", 60, 10, 1200), title: "Fado" },
      ],
    };
    const resource = presentItinerary(storedTrip([plan]), []);
    expect(itineraryResourceSchema.safeParse(resource).error).toBeUndefined();
    expect(resource.days[0]!.activities.map(({ title, timeOfDay, estimatedCost }) => [title, timeOfDay, estimatedCost])).toEqual([
      ["Castle", "morning", "Free"],
      ["Lunch", "afternoon", "€22.50 per person"],
      ["Tiles", "afternoon", "€8 per person"],
      ["Fado", "evening", "€1,200 per person"],
    ]);
    const yen = presentItinerary(storedTrip([{ ...plan, activities: [{ ...activity("19:00", 60, null), cost: { amount: 1500, currency: "JPY" } }] }], "JPY"), []);
    expect(yen.days[0]!.activities[0]).toMatchObject({ timeOfDay: "evening", estimatedCost: "¥1,500 per person" });
  });

  it("an old stored plan that carries them presents as before: the shape, the times of day, the cost the page showed", () => {
    // Written when the model answered both: its words for the cost beside the number, and
    // (in the oldest plans) no number at all.
    const old: StoredDayPlan = {
      day: 1,
      theme: "A day",
      activities: [
        { ...activity("09:00", 120, null, 0), timeOfDay: "morning", estimatedCost: "Free" },
        { ...activity("13:00", 90, 15, 15), timeOfDay: "afternoon", estimatedCost: "≈ €15" },
        { ...activity("19:30", 120, 20, 30), timeOfDay: "evening", estimatedCost: "≈ 30 per person" },
      ],
    };
    const oldest = {
      day: 2,
      theme: "Another day",
      activities: [{ ...activity("10:00", 60, null), cost: undefined, timeOfDay: "morning", estimatedCost: "≈ €12" }],
    } as unknown as StoredDayPlan;
    const resource = presentItinerary(storedTrip([old, oldest]), []);
    expect(itineraryResourceSchema.safeParse(resource).error).toBeUndefined();

    // Every field as the presenter gave it before; the cost in words as the page always
    // showed it (the number, per person; the old text only where there is no number).
    const shownBefore = (stored: StoredDayPlan["activities"][number]) => (stored.cost ? costInWords({ cost: stored.cost }) : stored.estimatedCost);
    for (const [dayIndex, stored] of [old, oldest].entries()) {
      expect(resource.days[dayIndex]!.activities).toEqual(
        stored.activities.map((entry, index) => ({
          ...entry,
          timeOfDay: entry.timeOfDay,
          estimatedCost: shownBefore(entry),
          location: entry.location ?? null,
          cost: entry.cost ?? null,
          travelFromPrevious: index === 0 ? null : entry.travelFromPrevious,
          endTime: endTime(entry.startTime, entry.durationMinutes),
          mapsUrl: mapsUrl(entry.place, "Lisbon, Portugal", entry.location ?? null),
        })),
      );
    }
    expect(resource.days[0]!.activities.map((entry) => entry.estimatedCost)).toEqual(["Free", "€15 per person", "€30 per person"]);
    expect(resource.days[1]!.activities[0]).toMatchObject({ timeOfDay: "morning", estimatedCost: "≈ €12", cost: null });
    expect(resource.days.map((entry) => entry.estimatedCost)).toEqual([{ amount: 45, currency: "EUR" }, null]);
  });

  it("an old stored plan's time of day follows its start time, whatever the model wrote then", () => {
    const old: StoredDayPlan = { day: 1, theme: "A day", activities: [{ ...activity("11:30", 60, null), timeOfDay: "afternoon", estimatedCost: "≈ €10" }] };
    expect(presentItinerary(storedTrip([old]), []).days[0]!.activities[0]!.timeOfDay).toBe("morning");
  });

  it("a revision shows the model an old stored plan in the shape it answers in", () => {
    const old: StoredDayPlan = { day: 1, theme: "A day", activities: [{ ...activity("09:00", 60, null), timeOfDay: "morning", estimatedCost: "≈ €10" }] };
    expect(modelDayPlan(old)).toEqual(day(activity("09:00", 60, null)));
    const trip: TripData = { destination: "Lisbon", durationDays: 1, startDate: null, interests: [], pace: "balanced", budget: "moderate", travellers: 2 };
    const task = parsePromptTask(reviseDayPrompt(trip, { title: "Lisbon", currency: "EUR", days: [{ day: 1, theme: "A day", area: "Alfama", highlights: ["A", "B"] }] }, [old], 1, "more food"));
    expect(task?.task).toBe("revise-day");
    if (task?.task !== "revise-day") return;
    expect(task.current.activities[0]).not.toHaveProperty("timeOfDay");
    expect(task.current.activities[0]).not.toHaveProperty("estimatedCost");
    expect(dayPlanSchema.safeParse(task.current).success).toBe(true);
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
