import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  dayPlanSchema,
  earliestStartDate,
  isoDate,
  itineraryRequestSchema,
  MAX_DAYS,
  outlineSchema,
} from "@/lib/domain/trip";
import { demoDay, demoOutline } from "@/lib/llm/demo-model";
import type { TripData } from "@/lib/llm/prompts";
import { dayTaskFor } from "../helpers/demo-trip";

const DAY_MS = 86_400_000;
const valid = { destination: "Tokyo, Japan", durationDays: 5 };

const parse = (input: unknown) => itineraryRequestSchema.safeParse(input);

/** The fields a failed parse complains about. */
function failingFields(input: unknown): string[] {
  const result = parse(input);
  expect(result.success, `expected ${JSON.stringify(input)} to be rejected`).toBe(false);
  return result.error ? result.error.issues.map((issue) => String(issue.path[0] ?? "")) : [];
}

describe("itineraryRequestSchema", () => {
  it("accepts the API's field names and fills in the defaults", () => {
    expect(itineraryRequestSchema.parse(valid)).toEqual({
      destination: "Tokyo, Japan",
      durationDays: 5,
      startDate: null,
      interests: [],
      pace: "balanced",
      budget: "moderate",
      travellers: 2,
    });
  });

  it("trims the destination and keeps it between 2 and 100 characters", () => {
    expect(itineraryRequestSchema.parse({ ...valid, destination: "  Lisbon  " }).destination).toBe("Lisbon");
    expect(failingFields({ ...valid, destination: " a " })).toEqual(["destination"]);
    expect(failingFields({ ...valid, destination: "   " })).toEqual(["destination"]);
    expect(parse({ ...valid, destination: "Rome" }).success).toBe(true);
    expect(parse({ ...valid, destination: "x".repeat(100) }).success).toBe(true);
    expect(failingFields({ ...valid, destination: "x".repeat(101) })).toEqual(["destination"]);
    expect(failingFields({ durationDays: 5 })).toEqual(["destination"]);
  });

  it("requires durationDays as a whole number from 1 to 14", () => {
    for (const days of [1, 7, MAX_DAYS]) expect(parse({ ...valid, durationDays: days }).success).toBe(true);
    for (const days of [0, 15, 2.5, -1, "5", null]) {
      expect(failingFields({ ...valid, durationDays: days })).toEqual(["durationDays"]);
    }
    expect(failingFields({ destination: "Tokyo" })).toEqual(["durationDays"]);
  });

  it("accepts a start date from today up to two years ahead", () => {
    const now = Date.now();
    const today = isoDate(new Date(now));
    expect(itineraryRequestSchema.parse({ ...valid, startDate: today }).startDate).toBe(today);
    expect(parse({ ...valid, startDate: earliestStartDate() }).success).toBe(true);
    expect(parse({ ...valid, startDate: isoDate(new Date(now + 365 * DAY_MS)) }).success).toBe(true);
    expect(failingFields({ ...valid, startDate: isoDate(new Date(now - 3 * DAY_MS)) })).toEqual(["startDate"]);
    expect(failingFields({ ...valid, startDate: isoDate(new Date(now + 3 * 365 * DAY_MS)) })).toEqual([
      "startDate",
    ]);
  });

  it("rejects start dates that are not ISO calendar dates with one clear message", () => {
    for (const bad of ["14/03/2027", "2027-02-30", "tomorrow", "2027-3-4"]) {
      const messages = parse({ ...valid, startDate: bad }).error?.issues.map((issue) => issue.message);
      // Only the format message: "14/03/2027" is not "in the past", "tomorrow" not "too far ahead".
      expect(messages, bad).toEqual(["Use a calendar date like 2027-03-14."]);
    }
    expect(failingFields({ ...valid, startDate: 20270314 })).toEqual(["startDate"]);
    expect(itineraryRequestSchema.parse({ ...valid, startDate: null }).startDate).toBeNull();
  });

  it("earliestStartDate allows the day before today in UTC (it is still today somewhere)", () => {
    const now = new Date("2027-03-14T10:00:00Z");
    expect(earliestStartDate(now)).toBe("2027-03-13");
  });

  it("lowercases, trims and dedupes interests", () => {
    const { interests } = itineraryRequestSchema.parse({
      ...valid,
      interests: ["Food", " food ", "ART", "Street Photography"],
    });
    expect(interests).toEqual(["food", "art", "street photography"]);
  });

  it("allows at most 10 interests of at most 30 characters, none empty", () => {
    const ten = Array.from({ length: 10 }, (_, index) => `interest ${index}`);
    expect(parse({ ...valid, interests: ten }).success).toBe(true);
    expect(failingFields({ ...valid, interests: [...ten, "one more"] })).toEqual(["interests"]);
    expect(parse({ ...valid, interests: ["x".repeat(30)] }).success).toBe(true);
    expect(failingFields({ ...valid, interests: ["x".repeat(31)] })).toEqual(["interests"]);
    expect(failingFields({ ...valid, interests: ["  "] })).toEqual(["interests"]);
    expect(failingFields({ ...valid, interests: "food" })).toEqual(["interests"]);
  });

  it("accepts only the known paces and budgets", () => {
    for (const pace of ["relaxed", "balanced", "packed"]) expect(parse({ ...valid, pace }).success).toBe(true);
    for (const budget of ["budget", "moderate", "luxury"]) expect(parse({ ...valid, budget }).success).toBe(true);
    expect(failingFields({ ...valid, pace: "frantic" })).toEqual(["pace"]);
    expect(failingFields({ ...valid, pace: "Packed" })).toEqual(["pace"]);
    expect(failingFields({ ...valid, budget: "cheap" })).toEqual(["budget"]);
  });

  it("allows 1 to 20 travellers, whole numbers only", () => {
    for (const travellers of [1, 20]) expect(parse({ ...valid, travellers }).success).toBe(true);
    for (const travellers of [0, 21, 1.5, "2"]) {
      expect(failingFields({ ...valid, travellers })).toEqual(["travellers"]);
    }
  });

  it("rejects unknown keys instead of silently dropping them", () => {
    expect(parse({ ...valid, days: 5 }).success).toBe(false);
    expect(parse({ ...valid, preferences: { pace: "packed" } }).success).toBe(false);
    expect(parse({ destination: "Tokyo", days: 5 }).success).toBe(false);
  });

  it("speaks to people in its error messages", () => {
    const result = parse({ destination: "", durationDays: 30 });
    const messages = result.error?.issues.map((issue) => issue.message) ?? [];
    expect(messages).toContain("The destination needs at least 2 characters.");
    expect(messages).toContain(`Plan at most ${MAX_DAYS} days.`);
  });
});

const trip: TripData = {
  destination: "Kyoto, Japan",
  durationDays: 3,
  startDate: null,
  interests: ["temples"],
  pace: "packed",
  budget: "luxury",
  travellers: 2,
};

describe("outlineSchema and dayPlanSchema", () => {
  it("accept what the demo model writes", () => {
    const outline = demoOutline({ task: "outline", trip });
    expect(outlineSchema.safeParse(outline).success).toBe(true);
    const day = demoDay(dayTaskFor(trip, outline, 2));
    expect(dayPlanSchema.safeParse(day).success).toBe(true);
  });

  it("reject malformed activities and outlines", () => {
    const day = demoDay(dayTaskFor(trip, demoOutline({ task: "outline", trip }), 1));
    const withActivity = (patch: Record<string, unknown>) => ({
      ...day,
      activities: [{ ...day.activities[0], ...patch }],
    });
    for (const startTime of ["25:00", "9:00", "12:60", "noon"]) {
      expect(dayPlanSchema.safeParse(withActivity({ startTime })).success).toBe(false);
    }
    // The latest time of day is valid as a format (a 15-minute stop at 23:30 also fits before midnight).
    expect(dayPlanSchema.safeParse(withActivity({ startTime: "23:30", durationMinutes: 15 })).success).toBe(true);
    expect(dayPlanSchema.safeParse(withActivity({ category: "party" })).success).toBe(false);
    expect(dayPlanSchema.safeParse(withActivity({ durationMinutes: 5 })).success).toBe(false);
    expect(dayPlanSchema.safeParse({ ...day, activities: [] }).success).toBe(false);
    expect(dayPlanSchema.safeParse({ ...day, day: 0 }).success).toBe(false);

    const outline = demoOutline({ task: "outline", trip });
    expect(outlineSchema.safeParse({ ...outline, tips: [] }).success).toBe(false);
    expect(outlineSchema.safeParse({ ...outline, days: [] }).success).toBe(false);
    const withoutSummary: Record<string, unknown> = { ...outline };
    delete withoutSummary.summary;
    expect(outlineSchema.safeParse(withoutSummary).success).toBe(false);
  });
});

type JsonSchema = { [key: string]: unknown };

/** Every object schema in a JSON schema, with its path. */
function objectSchemas(node: unknown, path = "$"): Array<{ path: string; schema: JsonSchema }> {
  if (Array.isArray(node)) return node.flatMap((item, index) => objectSchemas(item, `${path}[${index}]`));
  if (typeof node !== "object" || node === null) return [];
  const schema = node as JsonSchema;
  const here = schema.type === "object" || "properties" in schema ? [{ path, schema }] : [];
  return [
    ...here,
    ...Object.entries(schema).flatMap(([key, value]) => objectSchemas(value, `${path}.${key}`)),
  ];
}

describe("the model-facing JSON schemas are OpenAI strict-mode compatible", () => {
  const cases = [
    ["outlineSchema", outlineSchema],
    ["dayPlanSchema", dayPlanSchema],
  ] as const;

  for (const [name, schema] of cases) {
    for (const io of ["output", "input"] as const) {
      it(`${name} (${io}): every property is required, no extra properties`, () => {
        const json = z.toJSONSchema(schema, { io, target: "draft-7" });
        const objects = objectSchemas(json);
        // outline: root + days[]; day: root + activities[]
        expect(objects.length).toBeGreaterThanOrEqual(2);
        for (const { path, schema: object } of objects) {
          const properties = Object.keys((object.properties as JsonSchema | undefined) ?? {});
          expect(properties.length, `${path} has properties`).toBeGreaterThan(0);
          expect([...((object.required as string[] | undefined) ?? [])].sort(), `${path}.required`).toEqual(
            [...properties].sort(),
          );
          if (io === "output") expect(object.additionalProperties, path).toBe(false);
        }
        // No defaults or unbounded integers either: strict mode wants every value written out.
        const text = JSON.stringify(json);
        expect(text).not.toContain('"default"');
        expect(text).not.toContain(String(Number.MAX_SAFE_INTEGER));
      });
    }
  }
});
