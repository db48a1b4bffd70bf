import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SUGGESTED_INTERESTS } from "@/app/form";
import { ACTIVITIES_PER_DAY, BUDGETS, PACES } from "@/lib/domain/constants";
import { dayPlanSchema, outlineSchema, timelineProblem, type DayPlan, type Outline } from "@/lib/domain/trip";
import { demoDay, demoOutline } from "@/lib/llm/demo-model";
import { ESSENTIALS, INTEREST_IDEAS } from "@/lib/llm/demo/ideas";
import { isMealTitle } from "@/lib/llm/demo/meals";
import type { TripData } from "@/lib/llm/prompts";
import { dayTaskFor } from "../helpers/demo-trip";

// Whole demo trips, outline and days, built through the real day prompt, over many
// destinations, lengths, paces, budgets and interest sets.

function planTrip(trip: TripData): { outline: Outline; days: DayPlan[] } {
  const outline = demoOutline({ task: "outline", trip });
  return { outline, days: outline.days.map(({ day }) => demoDay(dayTaskFor(trip, outline, day))) };
}

const DESTINATIONS = [
  "Kyoto, Japan", "Lisbon, Portugal", "Reykjavik, Iceland", "New York City", "Zurich", "Mumbai, India",
  "Cape Town, South Africa", "Buenos Aires", "Marrakech", "Bruges, Belgium", "Washington, D.C.", "London",
  "Atlantis", "Sintra, Portugal", "Tuscany, Italy", "Middle-earth", "A very long destination name that nobody has ever heard of before, truly",
];
const CUSTOM_INTERESTS = ["street art", "fado", "jazz", "manga", "wine", "coffee", "temples", "tea ceremony", "live music", "football", "museum", "beach"];

const interestArbitrary = fc.oneof(
  fc.constantFrom(...SUGGESTED_INTERESTS),
  fc.constantFrom(...CUSTOM_INTERESTS),
  fc.stringMatching(/^[a-z]{3,12}( [a-z]{3,12})?$/),
);

const tripArbitrary: fc.Arbitrary<TripData> = fc.record({
  destination: fc.oneof(fc.constantFrom(...DESTINATIONS), fc.string({ minLength: 2, maxLength: 100 }).filter((text) => text.trim().length >= 2)),
  durationDays: fc.integer({ min: 1, max: 14 }),
  startDate: fc.constantFrom(null, "2027-04-02"),
  interests: fc.uniqueArray(interestArbitrary, { maxLength: 10, selector: (interest) => interest.toLowerCase() }),
  pace: fc.constantFrom(...PACES),
  budget: fc.constantFrom(...BUDGETS),
  travellers: fc.integer({ min: 1, max: 20 }),
});

const DEFAULT_TRIP: TripData = {
  destination: "Kyoto, Japan", durationDays: 3, startDate: null, interests: [], pace: "balanced", budget: "moderate", travellers: 2,
};

const textOf = (activity: DayPlan["activities"][number]) => `${activity.title} ${activity.description}`.toLowerCase();

describe("demo trips, over many requests", () => {
  it("are schema-valid, with timelines that hold and prices in the outline's currency", () => {
    fc.assert(
      fc.property(tripArbitrary, (trip) => {
        const { outline, days } = planTrip(trip);
        expect(outlineSchema.safeParse(outline).error).toBeUndefined();
        expect(outline.days).toHaveLength(trip.durationDays);
        for (const plan of days) {
          expect(dayPlanSchema.safeParse(plan).error).toBeUndefined();
          expect(timelineProblem(plan.activities)).toBeNull();
          expect(plan.activities[0]!.travelFromPrevious).toBeNull();
          for (const activity of plan.activities.slice(1)) expect(activity.travelFromPrevious).not.toBeNull();
          for (const activity of plan.activities) {
            expect(activity.cost.currency).toBe(outline.currency);
            expect(activity.cost.amount).toBeGreaterThanOrEqual(0);
            // What the server computes is not part of the answer.
            expect(activity).not.toHaveProperty("timeOfDay");
            expect(activity).not.toHaveProperty("estimatedCost");
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never repeat an activity title within a trip", () => {
    fc.assert(
      fc.property(tripArbitrary, (trip) => {
        const titles = planTrip(trip).days.flatMap((plan) => plan.activities.map((activity) => activity.title));
        expect(titles.filter((title, index) => titles.indexOf(title) !== index)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("give every interest, suggested or typed, a place among the activities", () => {
    fc.assert(
      fc.property(tripArbitrary, (trip) => {
        const texts = planTrip(trip).days.flatMap((plan) => plan.activities.map(textOf));
        for (const interest of trip.interests) expect(texts.some((text) => text.includes(interest.toLowerCase())), interest).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("have lunch and dinner every day, and as many other activities as the pace asks for", () => {
    fc.assert(
      fc.property(tripArbitrary, (trip) => {
        for (const plan of planTrip(trip).days) {
          const meals = plan.activities.filter((activity) => isMealTitle(activity.title));
          expect(meals.map((meal) => meal.title.split(" ")[0])).toEqual(["Lunch", "Dinner"]);
          for (const meal of meals) expect(meal.category).toBe("food");
          const [lunch, dinner] = meals;
          expect(lunch!.startTime >= "11:30" && lunch!.startTime <= "15:00", lunch!.startTime).toBe(true);
          expect(dinner!.startTime >= "18:00" && dinner!.startTime <= "21:30", dinner!.startTime).toBe(true);
          const { min, max } = ACTIVITIES_PER_DAY[trip.pace];
          expect(plan.activities.length - meals.length).toBeGreaterThanOrEqual(min);
          expect(plan.activities.length - meals.length).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("visit each day's area and highlights, and no other day's highlights", () => {
    fc.assert(
      fc.property(tripArbitrary, (trip) => {
        const { outline, days } = planTrip(trip);
        expect(new Set(outline.days.map((entry) => entry.area)).size).toBe(trip.durationDays);
        for (const [index, plan] of days.entries()) {
          const entry = outline.days[index]!;
          expect(plan.theme).toBe(entry.theme);
          expect(entry.highlights.length).toBeGreaterThanOrEqual(2);
          expect(entry.highlights.length).toBeLessThanOrEqual(4);
          const places = plan.activities.map((activity) => activity.place);
          for (const highlight of entry.highlights) expect(places).toContain(highlight);
          const others = outline.days.filter((other) => other.day !== entry.day).flatMap((other) => other.highlights);
          for (const place of places) expect(others).not.toContain(place);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("name in each day's theme only interests that day's activities are about", () => {
    fc.assert(
      fc.property(tripArbitrary, (trip) => {
        for (const plan of planTrip(trip).days) {
          const named = plan.theme.toLowerCase().split(" in ")[0]!;
          const texts = plan.activities.map(textOf);
          for (const interest of trip.interests.map((label) => label.toLowerCase())) {
            if (named === interest || named.startsWith(`${interest} and `) || named.endsWith(` and ${interest}`)) {
              expect(texts.some((text) => text.includes(interest)), `${interest} in "${plan.theme}"`).toBe(true);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("take interests that look like JavaScript's own names as plain words", () => {
    const interests = ["constructor", "__proto__", "{tostring}", "hasownproperty"];
    const request = { ...DEFAULT_TRIP, interests };
    const { outline, days } = planTrip(request);
    expect(outlineSchema.safeParse(outline).error).toBeUndefined();
    const texts = days.flatMap((plan) => plan.activities.map(textOf));
    expect(texts.join(" ")).not.toContain("native code");
    for (const interest of interests) expect(texts.some((text) => text.includes(interest)), interest).toBe(true);
  });

  it("are deterministic: the same request gets the same trip", () => {
    fc.assert(
      fc.property(tripArbitrary, (trip) => {
        expect(planTrip(trip)).toEqual(planTrip(structuredClone(trip)));
      }),
      { numRuns: 50 },
    );
  });
});

describe("demo trips, compared", () => {
  const kyoto = (interests: string[]): TripData => ({
    destination: "Kyoto, Japan", durationDays: 3, startDate: null, interests, pace: "balanced", budget: "moderate", travellers: 2,
  });
  const mainTitles = (trip: TripData) =>
    planTrip(trip).days.flatMap((plan) => plan.activities.filter((activity) => !isMealTitle(activity.title)).map((activity) => activity.title));

  it("differ visibly between two interest sets", () => {
    const foodAndArt = mainTitles(kyoto(["food", "art"]));
    const historyAndArchitecture = new Set(mainTitles(kyoto(["history", "architecture"])));
    const shared = foodAndArt.filter((title) => historyAndArchitecture.has(title));
    expect(shared.length).toBeLessThanOrEqual(Math.floor(foodAndArt.length / 3));
    const themes = (trip: TripData) => planTrip(trip).outline.days.map((entry) => entry.theme);
    expect(themes(kyoto(["food", "art"])).every((theme) => /^(food|art)\b/i.test(theme))).toBe(true);
    expect(themes(kyoto(["history", "architecture"])).every((theme) => /^(history|architecture)\b/i.test(theme))).toBe(true);
  });

  it("cost more the bigger the budget", () => {
    for (const destination of ["Kyoto, Japan", "Lisbon, Portugal", "Hanoi", "Atlantis"]) {
      const totals = BUDGETS.map((budget) => {
        const { days } = planTrip({ ...kyoto(["food", "museums", "nature"]), destination, budget, durationDays: 4 });
        return days.flatMap((plan) => plan.activities).reduce((sum, activity) => sum + activity.cost.amount, 0);
      });
      expect(totals[0]).toBeLessThan(totals[1]!);
      expect(totals[1]).toBeLessThan(totals[2]!);
    }
  });

  it("fill long trips without interests from the whole catalogue before improvising", () => {
    const titles = mainTitles({ ...kyoto([]), durationDays: 14, pace: "packed" });
    const catalogue = new Set([...ESSENTIALS, ...Object.values(INTEREST_IDEAS).flat()].map((idea) => idea.title.replace("{city}", "Kyoto")));
    expect(titles.filter((title) => catalogue.has(title)).length).toBeGreaterThanOrEqual(Math.min(titles.length, 55));
  });
});

describe("a demo day", () => {
  const request: TripData = {
    destination: "Lisbon, Portugal", durationDays: 3, startDate: null, interests: ["food", "fado"], pace: "balanced", budget: "moderate", travellers: 2,
  };

  it("visits the highlights its task gives it, leaves the other days' alone, and prices in its currency", () => {
    const outline = demoOutline({ task: "outline", trip: request });
    const own = outline.days[1]!.highlights;
    // Another outline could hand day 2 a place of its own and give one of day 2's places to day 1.
    const edited: Outline = {
      ...outline,
      currency: "USD",
      days: outline.days.map((entry) =>
        entry.day === 1 ? { ...entry, highlights: [...entry.highlights.slice(0, 3), own[1]!] }
        : entry.day === 2 ? { ...entry, highlights: ["The tram museum", own[0]!] }
        : entry),
    };
    const plan = demoDay(dayTaskFor(request, edited, 2));
    const places = plan.activities.map((activity) => activity.place);
    expect(places).toContain("The tram museum");
    expect(places).toContain(own[0]);
    expect(places).not.toContain(own[1]);
    expect(dayPlanSchema.safeParse(plan).error).toBeUndefined();
    expect(plan.activities.filter((activity) => isMealTitle(activity.title))).toHaveLength(2);
    for (const activity of plan.activities) expect(activity.cost.currency).toBe("USD");
  });
});

describe("the demo's catalogue", () => {
  it("has no two ideas with the same title", () => {
    const titles = [...ESSENTIALS, ...Object.values(INTEREST_IDEAS).flat()].map((idea) => idea.title);
    expect(titles.filter((title, index) => titles.indexOf(title) !== index)).toEqual([]);
  });

  it("offers an idea list for every interest the form suggests", () => {
    for (const interest of SUGGESTED_INTERESTS) expect(INTEREST_IDEAS[interest]?.length, interest).toBeGreaterThanOrEqual(6);
  });
});
