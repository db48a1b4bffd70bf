import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import type { DayPlan, Outline, OutlineDetails, OutlineSkeleton } from "@/lib/domain/trip";
import { planDay } from "./demo/day-plan";
import { demoRevision } from "./demo/revise";
import { findDestination, type Destination } from "./demo/gazetteer";
import { currencyName } from "./demo/money";
import { clip, hash, listOf } from "./demo/wording";
import { parsePromptTask, type DayTask, type OutlineDetailsTask, type OutlineTask, type PromptTask } from "./prompts";

// The offline model: an AI SDK language model that writes a plausible, deterministic
// itinerary from the trip request in the prompt, so the whole loop runs with no key and no
// network. It places the trip with an embedded gazetteer (lib/llm/demo/gazetteer.ts), plans
// each day from the traveller's interests (lib/llm/demo/day-plan.ts) and prices it in the
// local currency. Everything it writes goes through the same structured-output validation
// as a real model's answer.

export const DEMO_MODEL_LABEL = "demo model";

function tripTips(place: Destination): string[] {
  const city = place.name;
  return [
    `Prices are rough per-person estimates in ${currencyName(place.currency)} (${place.currency}); carry a little cash for markets and small cafés.`,
    ...(place.timeZone ? [`Clocks in ${city} follow the ${place.timeZone} time zone: check opening hours in local time.`] : []),
    `Each day stays in one part of ${city}; a day pass for public transport covers the longer hops.`,
    "Book popular museums and restaurants a few days ahead, especially at weekends.",
    "This plan comes from the offline demo model: it describes kinds of places rather than naming them, so look up the actual spots before you go.",
  ];
}

export function demoOutline({ trip }: OutlineTask): Outline {
  const place = findDestination(trip.destination);
  const days = Array.from({ length: trip.durationDays }, (_, index) => {
    const { area, theme, highlights } = planDay(trip, index + 1, place);
    return { day: index + 1, theme, area, highlights };
  });
  const interests = trip.interests.length > 0 ? ` with time for ${listOf(trip.interests)}` : "";
  const summary = `A ${trip.pace} ${trip.budget} trip through ${trip.destination}${interests}: one part of town a day, lunch and dinner on the way, and prices in ${currencyName(place.currency)}.`;
  return {
    title: clip(`${trip.durationDays} ${trip.durationDays === 1 ? "day" : "days"} in ${place.name}`, 120),
    summary: clip(summary, 600),
    currency: place.currency,
    timeZone: place.timeZone,
    center: place.center && { ...place.center },
    days,
    tips: tripTips(place).map((tip) => clip(tip, 300)),
  };
}

/** The skeleton the outline call answers: what the days need. */
export function demoOutlineSkeleton(task: OutlineTask): OutlineSkeleton {
  const { title, currency, days } = demoOutline(task);
  return { title, currency, days };
}

/** The details call's answer: the rest of the outline. */
export function demoOutlineDetails({ trip }: OutlineDetailsTask): OutlineDetails {
  const { summary, timeZone, center, tips } = demoOutline({ task: "outline", trip });
  return { summary, timeZone, center, tips };
}

/** The demo model's answer to any task Itinera asks of a model. */
export function demoAnswer(task: PromptTask): OutlineSkeleton | OutlineDetails | DayPlan {
  switch (task.task) {
    case "outline":
      return demoOutlineSkeleton(task);
    case "outline-details":
      return demoOutlineDetails(task);
    case "day":
      return demoDay(task);
    case "revise-day":
      return demoRevision(task);
  }
}

export function demoDay({ trip, day, theme, highlights, otherDays, currency }: DayTask): DayPlan {
  // Prices follow the outline's currency, whoever wrote the outline.
  const found = findDestination(trip.destination);
  const place = { ...found, currency: currency ?? found.currency };
  const avoid = otherDays.flatMap((other) => other.highlights);
  const plan = planDay(trip, day, place, { highlights, avoid });
  return { day, theme, activities: plan.activities };
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

/** At least this long between two streamed pieces: about what a browser can show apart. */
const MIN_PIECE_MS = 25;
/** Characters per streamed piece when time allows: about four tokens. */
const PIECE_CHARS = 16;

/**
 * `latencyMs`: how long a call takes, first token to last (a little less or more per
 * prompt, so parallel days land one by one). Streamed, the first ~30 % passes before the
 * first token and the answer is written over the rest, the way a real model streams.
 */
export function createDemoModel({ latencyMs = 0 }: { latencyMs?: number } = {}): LanguageModelV4 {
  function answer(options: LanguageModelV4CallOptions) {
    const prompt = promptText(options);
    const task = parsePromptTask(prompt);
    if (!task) throw new Error("The demo model found no trip request in the prompt.");
    const result = demoAnswer(task);
    const jitter = latencyMs > 0 ? hash(prompt) % Math.max(1, Math.round(latencyMs * 0.6)) : 0;
    const text = JSON.stringify(result);
    return { text, usage: usage(prompt, text), durationMs: latencyMs * 0.7 + jitter };
  }

  return {
    specificationVersion: "v4",
    provider: "itinera",
    modelId: "demo",
    supportedUrls: {},
    async doGenerate(options): Promise<LanguageModelV4GenerateResult> {
      const { text, usage: tokens, durationMs } = answer(options);
      await sleep(durationMs, options.abortSignal);
      return {
        content: [{ type: "text", text }],
        finishReason: { unified: "stop", raw: "stop" },
        usage: tokens,
        warnings: [],
      };
    },
    async doStream(options) {
      const { text, usage: tokens, durationMs } = answer(options);
      const firstTokenMs = durationMs * 0.3;
      const writingMs = durationMs - firstTokenMs;
      const pieces = Math.max(1, Math.min(Math.ceil(text.length / PIECE_CHARS), Math.floor(writingMs / MIN_PIECE_MS)));
      const size = Math.ceil(text.length / pieces);
      await sleep(firstTokenMs, options.abortSignal);
      return {
        stream: new ReadableStream<LanguageModelV4StreamPart>({
          async start(controller) {
            try {
              controller.enqueue({ type: "stream-start", warnings: [] });
              controller.enqueue({ type: "text-start", id: "demo" });
              for (let index = 0; index < pieces; index += 1) {
                if (index > 0) await sleep(writingMs / pieces, options.abortSignal);
                controller.enqueue({ type: "text-delta", id: "demo", delta: text.slice(index * size, (index + 1) * size) });
              }
              controller.enqueue({ type: "text-end", id: "demo" });
              controller.enqueue({ type: "finish", usage: tokens, finishReason: { unified: "stop", raw: "stop" } });
              controller.close();
            } catch (error) {
              controller.error(error);
            }
          },
        }),
      };
    },
  };
}
