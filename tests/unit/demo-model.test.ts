import { generateText, Output } from "ai";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { ACTIVITIES_PER_DAY, PACES } from "@/lib/domain/constants";
import {
  dayPlanSchema,
  outlineDetailsSchema,
  outlineSchema,
  outlineSkeletonSchema,
  type DayPlan,
  type Outline,
  type OutlineSkeleton,
} from "@/lib/domain/trip";
import { createDemoModel, DEMO_MODEL_LABEL } from "@/lib/llm/demo-model";
import { isMealTitle } from "@/lib/llm/demo/meals";
import { chooseModel } from "@/lib/llm/model";
import { dayPrompt, outlineDetailsPrompt, outlinePrompt, SYSTEM_PROMPT, type TripData } from "@/lib/llm/prompts";

const model = createDemoModel({ latencyMs: 0 });

function trip(overrides: Partial<TripData> = {}): TripData {
  return {
    destination: "Lisbon, Portugal",
    durationDays: 3,
    startDate: null,
    interests: ["food", "history"],
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    ...overrides,
  };
}

// The same calls the app makes (lib/llm/generate.ts), minus the limiter and timeout: the
// outline's skeleton, its details, and each day.
async function outlineFor(request: TripData) {
  const result = await generateText({
    model,
    system: SYSTEM_PROMPT,
    prompt: outlinePrompt(request),
    output: Output.object({ schema: outlineSkeletonSchema, name: "itinerary_outline" }),
    maxRetries: 0,
  });
  return { outline: result.output, usage: result.usage };
}

async function detailsFor(request: TripData, skeleton: OutlineSkeleton) {
  const result = await generateText({
    model,
    system: SYSTEM_PROMPT,
    prompt: outlineDetailsPrompt(request, skeleton),
    output: Output.object({ schema: outlineDetailsSchema, name: "itinerary_outline_details" }),
    maxRetries: 0,
  });
  return { details: result.output, usage: result.usage };
}

async function dayFor(request: TripData, outline: OutlineSkeleton, day: number) {
  const result = await generateText({
    model,
    system: SYSTEM_PROMPT,
    prompt: dayPrompt(request, outline, day),
    output: Output.object({ schema: dayPlanSchema, name: "itinerary_day" }),
    maxRetries: 0,
  });
  return { plan: result.output, usage: result.usage };
}

async function itineraryFor(request: TripData): Promise<{ outline: Outline; days: DayPlan[] }> {
  const { outline: skeleton } = await outlineFor(request);
  const [{ details }, ...days] = await Promise.all([
    detailsFor(request, skeleton),
    ...skeleton.days.map(async ({ day }) => (await dayFor(request, skeleton, day)).plan),
  ]);
  return { outline: { ...skeleton, ...details }, days: days as DayPlan[] };
}

describe("the demo model through generateText + Output.object", () => {
  it.each([1, 7, 14])("writes a schema-valid %i-day itinerary numbered 1..N", async (durationDays) => {
    const request = trip({ durationDays });
    const { outline, days } = await itineraryFor(request);
    const expectedDays = Array.from({ length: durationDays }, (_, index) => index + 1);

    expect(outlineSchema.safeParse(outline).success).toBe(true);
    expect(outline.days.map((entry) => entry.day)).toEqual(expectedDays);
    expect(new Set(outline.days.map((entry) => entry.theme)).size).toBe(Math.min(durationDays, 14));

    expect(days.map((plan) => plan.day)).toEqual(expectedDays);
    for (const plan of days) {
      expect(dayPlanSchema.safeParse(plan).success).toBe(true);
      expect(plan.theme).toBe(outline.days[plan.day - 1]?.theme);
      const times = plan.activities.map((activity) => activity.startTime);
      expect(times).toEqual([...times].sort());
    }
  });

  it("is deterministic: the same request gets the same itinerary", async () => {
    const request = trip({ durationDays: 4, pace: "packed" });
    expect(await itineraryFor(request)).toEqual(await itineraryFor(request));
  });

  it("writes about the destination it was given", async () => {
    const lisbon = await itineraryFor(trip({ destination: "Lisbon, Portugal" }));
    const kyoto = await itineraryFor(trip({ destination: "Kyoto, Japan" }));
    expect(lisbon).not.toEqual(kyoto);

    for (const [city, other, result] of [
      ["Lisbon", "Kyoto", lisbon],
      ["Kyoto", "Lisbon", kyoto],
    ] as const) {
      const text = JSON.stringify(result);
      expect(result.outline.title).toContain(city);
      expect(text).not.toContain(other);
      for (const plan of result.days) {
        expect(plan.activities.some((activity) => `${activity.place} ${activity.description}`.includes(city))).toBe(
          true,
        );
      }
    }
  });

  it("follows the requested pace: packed days hold more than relaxed ones", async () => {
    const relaxed = await itineraryFor(trip({ pace: "relaxed", durationDays: 5 }));
    const packed = await itineraryFor(trip({ pace: "packed", durationDays: 5 }));
    for (let index = 0; index < 5; index += 1) {
      expect(packed.days[index]!.activities.length).toBeGreaterThan(relaxed.days[index]!.activities.length);
    }
  });

  it("plans as many activities a day as the prompt asks for at each pace, plus lunch and dinner", async () => {
    for (const pace of PACES) {
      const request = trip({ pace, durationDays: 4 });
      const { outline, days } = await itineraryFor(request);
      const { min, max } = ACTIVITIES_PER_DAY[pace];
      expect(dayPrompt(request, outline, 1)).toContain(`${min} to ${max} activities for a ${pace} pace, plus lunch and dinner`);
      for (const plan of days) {
        const meals = plan.activities.filter((activity) => isMealTitle(activity.title));
        expect(meals.map((meal) => meal.title.split(" ")[0])).toEqual(["Lunch", "Dinner"]);
        expect(plan.activities.length - meals.length).toBeGreaterThanOrEqual(min);
        expect(plan.activities.length - meals.length).toBeLessThanOrEqual(max);
      }
    }
  });

  it("mentions the traveller's interests in the summary", async () => {
    const request = trip({ interests: ["street art", "fado"] });
    const { outline } = await outlineFor(request);
    const { details } = await detailsFor(request, outline);
    expect(details.summary).toContain("street art");
    expect(details.summary).toContain("fado");
  });

  it("answers the skeleton and the details apart, which together make the whole outline", async () => {
    const request = trip({ durationDays: 4 });
    const { outline: skeleton } = await outlineFor(request);
    const { details } = await detailsFor(request, skeleton);
    // Each call writes only its own part.
    expect(Object.keys(skeleton).sort()).toEqual(["currency", "days", "title"]);
    expect(Object.keys(details).sort()).toEqual(["center", "summary", "timeZone", "tips"]);
    const whole = outlineSchema.parse({ ...skeleton, ...details });
    expect(whole.timeZone).toBe("Europe/Lisbon");
    expect(whole.tips.length).toBeGreaterThan(0);
  });

  it("reports token usage", async () => {
    const { outline, usage } = await outlineFor(trip());
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
    const { usage: detailsUsage } = await detailsFor(trip(), outline);
    expect(detailsUsage.inputTokens).toBeGreaterThan(0);
    expect(detailsUsage.outputTokens).toBeGreaterThan(0);
    const day = await dayFor(trip(), outline, 1);
    expect(day.usage.inputTokens).toBeGreaterThan(0);
    expect(day.usage.outputTokens).toBeGreaterThan(0);
  });

  it("refuses a prompt with no trip request in it", async () => {
    await expect(
      generateText({ model, prompt: "Plan me something nice.", output: Output.object({ schema: outlineSchema }), maxRetries: 0 }),
    ).rejects.toThrow(/no trip request/);
  });
});

describe("chooseModel", () => {
  it("uses the offline demo model when no key or base URL is configured", () => {
    const chosen = chooseModel(parseEnv({}));
    expect(chosen.kind).toBe("demo");
    expect(chosen.label).toBe(DEMO_MODEL_LABEL);
    expect(chosen.label).toBe("demo model");
  });

  it("uses OpenAI's Responses API with OPENAI_API_KEY", () => {
    const chosen = chooseModel(parseEnv({ OPENAI_API_KEY: "sk-test" }));
    expect(chosen).toMatchObject({ kind: "openai", label: "openai:gpt-5-mini" });
    expect(chosen.model.modelId).toBe("gpt-5-mini");
    expect(chosen.model.provider).toMatch(/responses/);
  });

  it("names the configured model in the label", () => {
    expect(chooseModel(parseEnv({ OPENAI_API_KEY: "sk-test", LLM_MODEL: "gpt-5" })).label).toBe("openai:gpt-5");
  });

  it("uses an OpenAI-compatible server over Chat Completions with OPENAI_BASE_URL", () => {
    const chosen = chooseModel(parseEnv({ OPENAI_BASE_URL: "http://localhost:11434/v1", LLM_MODEL: "llama3.2" }));
    expect(chosen).toMatchObject({ kind: "openai-compatible", label: "openai-compatible:llama3.2" });
    expect(chosen.model.provider).toMatch(/chat/);
    const withResponses = chooseModel(
      parseEnv({ OPENAI_BASE_URL: "http://localhost:11434/v1", LLM_API: "responses" }),
    );
    expect(withResponses.model.provider).toMatch(/responses/);
  });
});
