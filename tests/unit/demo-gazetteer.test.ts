import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { costInWords } from "@/lib/domain/plan-facts";
import type { Coordinates, DayPlan, Outline } from "@/lib/domain/trip";
import type { TripData } from "@/lib/llm/prompts";
import { dayTaskFor } from "../helpers/demo-trip";

// Where demo trips happen: the gazetteer behind them, loaded only when a demo trip is
// planned, and what it gives the trip (centre, time zone, currency, places around the city).

const requireHere = createRequire(import.meta.url);
const isGazetteerLoaded = () => Object.keys(requireHere.cache).some((file) => file.includes(`${path.sep}city-timezones${path.sep}`));

type GazetteerCity = { city: string; country: string; iso2: string; lat: number; lng: number; pop: number; timezone: string | null };
const gazetteer = () => (requireHere("city-timezones") as { cityMapping: GazetteerCity[] }).cityMapping;

const demo = () => import("@/lib/llm/demo-model");

function trip(destination: string, overrides: Partial<TripData> = {}): TripData {
  return { destination, durationDays: 3, startDate: null, interests: ["food", "history"], pace: "packed", budget: "moderate", travellers: 2, ...overrides };
}

async function planTrip(request: TripData): Promise<{ outline: Outline; days: DayPlan[] }> {
  const { demoDay, demoOutline } = await demo();
  const outline = demoOutline({ task: "outline", trip: request });
  return { outline, days: outline.days.map(({ day }) => demoDay(dayTaskFor(request, outline, day))) };
}

/** Great-circle distance in km (written out here rather than borrowed from the code under test). */
function kmBetween(a: Coordinates, b: Coordinates): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.latitude - a.latitude) * rad) / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(((b.longitude - a.longitude) * rad) / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(h));
}

/** Fastest plausible door-to-door speed of each way of getting around, in km/h. */
const TOP_SPEED: Record<string, number> = { walk: 6, bike: 20, transit: 40, ferry: 40, taxi: 60, drive: 60 };

function expectAroundTheCity(days: DayPlan[], center: Coordinates) {
  for (const plan of days) {
    for (const [index, activity] of plan.activities.entries()) {
      expect(activity.location).not.toBeNull();
      expect(kmBetween(activity.location!, center)).toBeLessThanOrEqual(15);
      const previous = plan.activities[index - 1];
      if (!previous || !activity.travelFromPrevious) continue;
      const km = kmBetween(previous.location!, activity.location!);
      const { mode, minutes } = activity.travelFromPrevious;
      expect(km / (minutes / 60), `${mode} ${minutes} min for ${km.toFixed(1)} km`).toBeLessThanOrEqual(TOP_SPEED[mode]!);
      if (mode === "walk") expect(km).toBeLessThanOrEqual(2);
    }
  }
}

describe("the gazetteer", () => {
  it("is loaded by the first demo trip, not by importing the demo model", async () => {
    // A fresh demo model and a require cache without the gazetteer, whatever ran before.
    vi.resetModules();
    for (const file of Object.keys(requireHere.cache)) if (file.includes(`${path.sep}city-timezones${path.sep}`)) delete requireHere.cache[file];
    const { demoOutline } = await demo();
    expect(isGazetteerLoaded()).toBe(false);
    demoOutline({ task: "outline", trip: trip("Kyoto, Japan") });
    expect(isGazetteerLoaded()).toBe(true);
  });

  it("is imported by the demo model alone", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const sources = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) return sources(file);
        return /\.(ts|tsx|js|mjs)$/.test(name) ? [file] : [];
      });
    const files = [...["lib", "app", "components", "inngest"].flatMap((dir) => sources(path.join(root, dir))), path.join(root, "instrumentation.ts"), path.join(root, "proxy.ts")];
    const importers = (pattern: RegExp) => files.filter((file) => pattern.test(readFileSync(file, "utf8"))).map((file) => path.relative(root, file));
    expect(importers(/["']city-timezones["']|["']country-to-currency["']/)).toEqual(["lib/llm/demo/gazetteer.ts"]);
    expect(importers(/["'](@\/lib\/llm\/|\.\/)demo\/[\w-]+["']/)).toEqual(["lib/llm/demo-model.ts"]);
  });
});

describe("demo trips to cities the gazetteer knows", () => {
  const KNOWN = [
    { destination: "Kyoto, Japan", city: "Kyoto", iso2: "JP", currency: "JPY", symbol: "¥" },
    { destination: "Lisbon, Portugal", city: "Lisbon", iso2: "PT", currency: "EUR", symbol: "€" },
    { destination: "Reykjavik, Iceland", city: "Reykjavík", iso2: "IS", currency: "ISK", symbol: "ISK" },
    { destination: "Zurich", city: "Zürich", iso2: "CH", currency: "CHF", symbol: "CHF" },
    { destination: "New York City", city: "New York", iso2: "US", currency: "USD", symbol: "$" },
    { destination: "London", city: "London", iso2: "GB", currency: "GBP", symbol: "£" },
    { destination: "London, Ontario", city: "London", iso2: "CA", currency: "CAD", symbol: "CA$" },
    { destination: "Bruges, Belgium", city: "Brugge", iso2: "BE", currency: "EUR", symbol: "€" },
    { destination: "Washington, D.C.", city: "Washington, D.C.", iso2: "US", currency: "USD", symbol: "$" },
    { destination: "Mumbai, India", city: "Mumbai", iso2: "IN", currency: "INR", symbol: "₹" },
  ];

  it.each(KNOWN)("$destination: centred on the city, in its time zone and currency", async ({ destination, city, iso2, currency, symbol }) => {
    const entry = gazetteer().find((candidate) => candidate.city === city && candidate.iso2 === iso2)!;
    const { outline, days } = await planTrip(trip(destination));
    expect(outline.center).toEqual({ latitude: entry.lat, longitude: entry.lng });
    expect(outline.timeZone).toBe(entry.timezone);
    expect(outline.currency).toBe(currency);
    for (const activity of days.flatMap((plan) => plan.activities)) {
      expect(activity.cost.currency).toBe(currency);
      if (activity.cost.amount > 0) expect(costInWords(activity)).toContain(symbol);
    }
    expectAroundTheCity(days, outline.center!);
  });

  it("scatter any gazetteer city's activities within 15 km of its point, with travel that fits the distance", async () => {
    const cities = gazetteer().filter((city) => city.pop >= 100_000 && city.timezone && /^[A-Z]{2}$/.test(city.iso2));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cities), fc.integer({ min: 1, max: 14 }), async (city, durationDays) => {
        const { outline, days } = await planTrip(trip(`${city.city}, ${city.country}`, { durationDays }));
        // Spellings with and without accents are one name ("Mazatlán", "Mazatlan"): the biggest wins.
        const plain = (name: string) => name.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
        const namesakes = gazetteer().filter((other) => plain(other.city) === plain(city.city) && other.country === city.country);
        const expected = namesakes.reduce((best, other) => (other.pop > best.pop ? other : best));
        expect(outline.center).toEqual({ latitude: expected.lat, longitude: expected.lng });
        expect(outline.timeZone).toBe(expected.timezone);
        expectAroundTheCity(days, outline.center!);
      }),
      { numRuns: 150 },
    );
  });
});

describe("demo trips to places the gazetteer does not know", () => {
  it.each([
    ["Atlantis", "EUR"],
    ["Sintra, Portugal", "EUR"],
    ["Tuscany, Italy", "EUR"],
    ["Bali", "IDR"],
    ["Paris, Texas", "USD"],
    ["Middle-earth", "EUR"],
  ])("%s: no coordinates, no time zone, prices in %s", async (destination, currency) => {
    const { outline, days } = await planTrip(trip(destination));
    expect(outline.center).toBeNull();
    expect(outline.timeZone).toBeNull();
    expect(outline.currency).toBe(currency);
    for (const activity of days.flatMap((plan) => plan.activities)) {
      expect(activity.location).toBeNull();
      expect(activity.cost.currency).toBe(currency);
    }
    expect(outline.title).toContain(destination.split(",")[0]);
  });
});

describe("demo prices", () => {
  it("have a rough exchange rate for the currency of every country in the gazetteer", async () => {
    const { default: countryToCurrency } = await import("country-to-currency");
    const { hasExchangeRate } = await import("@/lib/llm/demo/money");
    const codes = new Set(gazetteer().flatMap((city) => (/^[A-Z]{2}$/.test(city.iso2) ? [(countryToCurrency as Record<string, string>)[city.iso2]] : [])));
    expect([...codes].filter((code) => !code || !hasExchangeRate(code))).toEqual([]);
  });

  it("are in the range people pay: a moderate lunch in Kyoto costs yen in the thousands, not tens", async () => {
    const { days } = await planTrip(trip("Kyoto, Japan"));
    const lunch = days[0]!.activities.find((activity) => activity.title.startsWith("Lunch"))!;
    expect(lunch.cost.amount).toBeGreaterThanOrEqual(1000);
    expect(lunch.cost.amount).toBeLessThanOrEqual(5000);
  });
});
