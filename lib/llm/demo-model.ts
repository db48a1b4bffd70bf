import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import { minutesOf, type Activity, type DayPlan, type Outline } from "@/lib/domain/trip";
import { parsePromptTask, type DayTask, type OutlineTask } from "./prompts";

// The offline model: an AI SDK language model that writes a plausible, deterministic
// itinerary from the trip request in the prompt, so the whole loop runs with no key and no
// network. Everything it writes goes through the same structured-output validation as a
// real model's answer.

export const DEMO_MODEL_LABEL = "demo model";

type Slot = Omit<Activity, "location" | "cost" | "travelFromPrevious">;

const THEMES = [
  "Old town and first impressions",
  "Markets, food and local flavours",
  "Museums and the story of {city}",
  "Parks, gardens and open air",
  "Neighbourhoods off the beaten path",
  "Art, design and craft",
  "A day trip beyond {city}",
  "Views from above",
  "Waterfront and evening lights",
  "Slow morning, hidden corners",
  "Culture after dark",
  "Hands-on: a class or workshop",
  "Favourites revisited",
  "Last walks and souvenirs",
];

const MORNING: Slot[] = [
  { timeOfDay: "morning", startTime: "08:30", durationMinutes: 90, category: "food", estimatedCost: "≈ 10 per person", title: "Breakfast at a neighbourhood café", description: "Start slowly where locals do: coffee, pastries and a look at the day's plan.", place: "A café near the centre of {city}" },
  { timeOfDay: "morning", startTime: "09:00", durationMinutes: 150, category: "sightseeing", estimatedCost: "Free", title: "Walking tour of the historic centre", description: "Follow the old streets of {city} to its best-known squares and landmarks while they are still quiet.", place: "Historic centre, {city}" },
  { timeOfDay: "morning", startTime: "09:30", durationMinutes: 120, category: "culture", estimatedCost: "≈ 15 per person", title: "The city museum", description: "Get the story of {city} in one visit: its origins, its turning points and its people.", place: "City museum, {city}" },
  { timeOfDay: "morning", startTime: "08:00", durationMinutes: 120, category: "food", estimatedCost: "≈ 12 per person", title: "Morning market", description: "Browse stalls of fresh produce and street snacks, and try something you cannot name.", place: "Central market, {city}" },
  { timeOfDay: "morning", startTime: "09:00", durationMinutes: 150, category: "nature", estimatedCost: "Free", title: "Gardens and a lookout", description: "A gentle climb through green spaces to a viewpoint over {city}.", place: "Main park, {city}" },
];

const AFTERNOON: Slot[] = [
  { timeOfDay: "afternoon", startTime: "12:30", durationMinutes: 75, category: "food", estimatedCost: "≈ 20 per person", title: "Lunch of regional dishes", description: "A relaxed lunch of the dishes {city} is proud of; ask for the daily special.", place: "A family-run restaurant, {city}" },
  { timeOfDay: "afternoon", startTime: "14:00", durationMinutes: 150, category: "culture", estimatedCost: "≈ 18 per person", title: "Art gallery visit", description: "Local and visiting artists, with a café for a break between rooms.", place: "Art gallery, {city}" },
  { timeOfDay: "afternoon", startTime: "14:30", durationMinutes: 120, category: "shopping", estimatedCost: "Varies", title: "Design shops and craft studios", description: "Independent shops for souvenirs that were actually made in {city}.", place: "Design district, {city}" },
  { timeOfDay: "afternoon", startTime: "15:00", durationMinutes: 150, category: "adventure", estimatedCost: "≈ 25 per person", title: "Explore by bike", description: "Rent a bike and cover more ground along quiet streets and riverside paths.", place: "Bike rental near the centre, {city}" },
  { timeOfDay: "afternoon", startTime: "14:00", durationMinutes: 120, category: "relaxation", estimatedCost: "≈ 30 per person", title: "Slow afternoon at a bathhouse or spa", description: "Rest your feet and recharge before the evening.", place: "A spa in {city}" },
];

const EVENING: Slot[] = [
  { timeOfDay: "evening", startTime: "18:30", durationMinutes: 60, category: "sightseeing", estimatedCost: "Free", title: "Sunset viewpoint", description: "Watch the light change over {city} from its favourite viewpoint.", place: "Viewpoint over {city}" },
  { timeOfDay: "evening", startTime: "19:30", durationMinutes: 120, category: "food", estimatedCost: "≈ 35 per person", title: "Dinner in a lively quarter", description: "Share small plates in the part of {city} where evenings happen.", place: "Old quarter, {city}" },
  { timeOfDay: "evening", startTime: "20:00", durationMinutes: 120, category: "nightlife", estimatedCost: "≈ 20 per person", title: "Live music and a nightcap", description: "A small venue with local musicians; arrive early for a seat.", place: "Music bar, {city}" },
  { timeOfDay: "evening", startTime: "19:00", durationMinutes: 90, category: "culture", estimatedCost: "≈ 25 per person", title: "An evening performance", description: "Theatre, dance or a concert: check what is on tonight.", place: "Theatre district, {city}" },
];

const TIPS = [
  "Buy a transit pass on day one; it pays for itself quickly in {city}.",
  "Book popular museums a few days ahead, especially at weekends.",
  "Carry a little cash: small vendors and markets may not take cards.",
  "Keep a reusable water bottle and comfortable shoes with you.",
  "Learn a few words of greeting in the local language; it opens doors.",
];

/** FNV-1a: a small, stable hash so the same request always gets the same itinerary. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

const pick = <T>(items: readonly T[], seed: number): T => items[seed % items.length]!;

const cityOf = (destination: string) => destination.split(",")[0]?.trim() || destination;

const fill = (text: string, city: string) => text.replaceAll("{city}", city);

/** The demo's prices are in euros: the first number of the slot's cost, else free. */
const DEMO_CURRENCY = "EUR";
const costOf = (text: string) => Number(/\d+/.exec(text)?.[0] ?? 0);

function fillSlot(slot: Slot, city: string): Activity {
  return {
    ...slot,
    title: fill(slot.title, city),
    description: fill(slot.description, city),
    place: fill(slot.place, city),
    location: null,
    cost: { amount: costOf(slot.estimatedCost), currency: DEMO_CURRENCY },
    travelFromPrevious: null,
  };
}

const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** In time order, each stop a 15-minute walk after the previous one ends (rounded to 15 min). */
function timeline(activities: Activity[]): Activity[] {
  const sorted = [...activities].sort((a, b) => a.startTime.localeCompare(b.startTime));
  let previousEnd = 0;
  return sorted.map((activity, index) => {
    const travel = index === 0 ? null : { mode: "walk" as const, minutes: 15 };
    const earliest = previousEnd + (travel?.minutes ?? 0);
    const start = Math.max(minutesOf(activity.startTime), Math.ceil(earliest / 15) * 15);
    previousEnd = start + activity.durationMinutes;
    return { ...activity, startTime: clock(start), travelFromPrevious: travel };
  });
}

export function demoOutline({ trip }: OutlineTask): Outline {
  const city = cityOf(trip.destination);
  const seed = hash(trip.destination.toLowerCase());
  const days = Array.from({ length: trip.durationDays }, (_, index) => ({
    day: index + 1,
    theme: fill(pick(THEMES, seed + index), city),
  }));
  const interests = trip.interests.length > 0 ? ` with time for ${trip.interests.join(", ")}` : "";
  return {
    title: `${trip.durationDays} ${trip.durationDays === 1 ? "day" : "days"} in ${city}`,
    summary: `A ${trip.pace} ${trip.budget} trip through ${trip.destination}${interests}: landmarks, food and quieter corners, one theme a day.`,
    currency: DEMO_CURRENCY,
    timeZone: null,
    center: null,
    days: days.map((entry) => ({ ...entry, area: `Central ${city}`, highlights: [`${city} day ${entry.day} sights`, `${city} day ${entry.day} food`] })),
    tips: [0, 1, 2].map((offset) => fill(pick(TIPS, seed + offset), city)),
  };
}

export function demoDay({ trip, day, theme }: DayTask): DayPlan {
  const city = cityOf(trip.destination);
  const seed = hash(`${trip.destination.toLowerCase()}#${day}`);
  const activities = [
    fillSlot(pick(MORNING, seed), city),
    fillSlot(pick(AFTERNOON, seed >>> 3), city),
    fillSlot(pick(EVENING, seed >>> 6), city),
  ];
  if (trip.pace === "packed") activities.splice(1, 0, fillSlot(pick(MORNING, seed + 1), city));
  if (trip.pace === "relaxed") activities.splice(1, 1);
  return { day, theme, activities: timeline(activities) };
}

/** All the text of a call's prompt (system and user parts), as one string. */
export function promptText(options: LanguageModelV4CallOptions): string {
  return options.prompt
    .flatMap((message) =>
      message.role === "system"
        ? [message.content]
        : message.content.flatMap((part) => (part.type === "text" ? [part.text] : [])),
    )
    .join("\n");
}

const estimateTokens = (text: string) => Math.ceil(text.length / 4);

function usage(input: string, output: string): LanguageModelV4Usage {
  return {
    inputTokens: { total: estimateTokens(input), noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: estimateTokens(output), text: estimateTokens(output), reasoning: undefined },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    }, { once: true });
  });
}

export function createDemoModel({ latencyMs = 0 }: { latencyMs?: number } = {}): LanguageModelV4 {
  async function answer(options: LanguageModelV4CallOptions) {
    const prompt = promptText(options);
    const task = parsePromptTask(prompt);
    if (!task) throw new Error("The demo model found no trip request in the prompt.");
    const result = task.task === "outline" ? demoOutline(task) : demoDay(task);
    // Vary latency a little, deterministically, so parallel days land one by one.
    const jitter = latencyMs > 0 ? hash(prompt) % Math.max(1, Math.round(latencyMs * 0.6)) : 0;
    await sleep(latencyMs * 0.7 + jitter, options.abortSignal);
    const text = JSON.stringify(result);
    return { text, usage: usage(prompt, text) };
  }

  return {
    specificationVersion: "v4",
    provider: "itinera",
    modelId: "demo",
    supportedUrls: {},
    async doGenerate(options): Promise<LanguageModelV4GenerateResult> {
      const { text, usage: tokens } = await answer(options);
      return {
        content: [{ type: "text", text }],
        finishReason: { unified: "stop", raw: "stop" },
        usage: tokens,
        warnings: [],
      };
    },
    async doStream(options) {
      const { text, usage: tokens } = await answer(options);
      return {
        stream: new ReadableStream({
          start(controller) {
            controller.enqueue({ type: "stream-start", warnings: [] });
            controller.enqueue({ type: "text-start", id: "demo" });
            controller.enqueue({ type: "text-delta", id: "demo", delta: text });
            controller.enqueue({ type: "text-end", id: "demo" });
            controller.enqueue({ type: "finish", usage: tokens, finishReason: { unified: "stop", raw: "stop" } });
            controller.close();
          },
        }),
      };
    },
  };
}
