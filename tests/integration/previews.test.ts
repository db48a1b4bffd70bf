import type { LanguageModelV4CallOptions } from "@ai-sdk/provider";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.JOB_RETRY_BASE_MS = "5";
  process.env.JOB_MAX_ATTEMPTS = "3";
  process.env.LLM_CONCURRENCY = "20";
});

import { insertItinerary } from "@/lib/db/queries/itineraries";
import { previewKey, type Preview } from "@/lib/domain/preview";
import type { ItineraryResource } from "@/lib/domain/resource";
import { resetEnvCache } from "@/lib/env";
import { createGenerationRunner } from "@/lib/jobs/local-functions";
import { demoAnswer, promptText } from "@/lib/llm/demo-model";
import { setModelForTests } from "@/lib/llm/model";
import { parsePromptTask, promptStepId, type PromptTask } from "@/lib/llm/prompts";
import * as eventsRoute from "@/app/api/itineraries/[id]/events/route";
import { createTestDatabase } from "../helpers/database";
import { jsonAnswer, streamingModel } from "../helpers/streaming-model";

// Watching a trip being written: while a step's model call streams, the job's live stream
// carries `partial` events with what has been written so far; the stored result replaces
// them; a failed call withdraws its preview; a resumed stream picks the previews up again.

const taskOf = (options: LanguageModelV4CallOptions): PromptTask => {
  const task = parsePromptTask(promptText(options));
  if (!task) throw new Error("no trip request in the prompt");
  return task;
};
const stepOf = (task: PromptTask) => promptStepId(task);

/** What the model does before each streamed piece of a step's answer: by default, nothing. */
let beforePiece: (step: string, index: number) => Promise<void> | void = () => {};
/** Streamed calls per step since the test began. */
const calls = new Map<string, number>();

const model = streamingModel({
  pieces: 16,
  gapMs: 40,
  doGenerate: (options) => {
    const task = taskOf(options);
    calls.set(stepOf(task), (calls.get(stepOf(task)) ?? 0) + 1);
    const value = demoAnswer(task);
    return jsonAnswer(value, { input: 100, output: 50 });
  },
  beforePiece: (options, index) => beforePiece(stepOf(taskOf(options)), index),
});

const runner = createGenerationRunner();

async function newJob(durationDays: number) {
  const job = await insertItinerary({
    status: "processing",
    destination: "Porto, Portugal",
    durationDays,
    startDate: null,
    interests: ["food", "art"],
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    model: "mock",
    requestHash: `previews-${Math.random()}`,
  });
  return job.id;
}

interface Received {
  event: string;
  id: string | null;
  data: unknown;
  at: number;
}

/** Opens the job's event stream through its route and collects its events as they arrive. */
async function watch(id: string, lastEventId?: string) {
  const abort = new AbortController();
  const headers = lastEventId ? { "last-event-id": lastEventId } : undefined;
  const response = await eventsRoute.GET(new Request(`http://localhost/api/itineraries/${id}/events`, { signal: abort.signal, headers }), {
    params: Promise.resolve({ id }),
  });
  expect(response.status).toBe(200);
  const events: Received[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const done = (async () => {
    let buffer = "";
    for (;;) {
      const { value, done: ended } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (ended) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (name: string) => block.match(new RegExp(`^${name}: (.*)$`, "m"))?.[1] ?? null;
        const event = field("event");
        if (event) events.push({ event, id: field("id"), data: JSON.parse(field("data") ?? "null"), at: Date.now() });
      }
    }
  })();
  return {
    events,
    done,
    close: () => {
      abort.abort();
      void reader.cancel().catch(() => {});
    },
    partials: () => events.filter((event) => event.event === "partial").map((event) => event.data as Preview),
    snapshots: () => events.filter((event) => event.event === "snapshot").map((event) => event.data as ItineraryResource),
  };
}

const titlesOf = (preview: Preview) =>
  ((preview.value?.activities as Array<{ title?: string }> | undefined) ?? []).flatMap((activity) => (activity.title ? [activity.title] : []));

beforeAll(async () => {
  resetEnvCache();
  await createTestDatabase();
  setModelForTests({ model, label: "mock", kind: "demo" });
});

afterEach(() => {
  beforePiece = () => {};
  calls.clear();
});

describe("previews of what the model is writing", () => {
  it("show each part while it is written, at most about four batches a second, until the stored result replaces it", async () => {
    const id = await newJob(3);
    const stream = await watch(id);
    expect(await runner.start({ id })).toBe("completed");
    await stream.done;

    const { events } = stream;
    const indexOf = (predicate: (event: Received) => boolean) => events.findIndex(predicate);
    const snapshotWith = (predicate: (job: ItineraryResource) => boolean) =>
      indexOf((event) => event.event === "snapshot" && predicate(event.data as ItineraryResource));
    const previewOf = (key: { part: Preview["part"]; day: number | null }) =>
      indexOf((event) => event.event === "partial" && (event.data as Preview).part === key.part && (event.data as Preview).day === key.day);

    // The title shows in a preview before the stored outline lands.
    const outlinePreview = previewOf({ part: "outline", day: null });
    expect(outlinePreview).toBeGreaterThan(0);
    expect(outlinePreview).toBeLessThan(snapshotWith((job) => job.outline !== null));
    // The details (summary, tips) show in their own preview, after the skeleton landed and
    // before they land themselves.
    const detailsPreview = previewOf({ part: "details", day: null });
    expect(detailsPreview).toBeGreaterThan(snapshotWith((job) => job.outline !== null));
    expect(detailsPreview).toBeLessThan(snapshotWith((job) => job.outline?.summary != null));

    const final = stream.snapshots().at(-1)!;
    expect(final.status).toBe("completed");
    for (const day of [1, 2, 3]) {
      // Some activity of the day shows before the day itself lands…
      const firstActivity = indexOf((event) => event.event === "partial" && (event.data as Preview).day === day && titlesOf(event.data as Preview).length > 0);
      expect(firstActivity, `day ${day}`).toBeGreaterThan(0);
      expect(firstActivity).toBeLessThan(snapshotWith((job) => job.days.some((plan) => plan.day === day)));
      // …and what the preview showed is what landed (the result replaces it, it does not differ).
      const lastPreview = stream.partials().filter((preview) => preview.day === day).at(-1)!;
      const landed = final.days.find((plan) => plan.day === day)!.activities.map((activity) => activity.title);
      const shown = titlesOf(lastPreview);
      expect(landed.slice(0, shown.length - 1)).toEqual(shown.slice(0, -1)); // the last title may be cut short
    }

    // Throttled per job: previews arrive in batches at least ~250 ms apart, however many parts stream at once.
    const batches: number[] = [];
    for (const event of events) {
      if (event.event !== "partial") continue;
      if (batches.length === 0 || event.at - batches.at(-1)! > 50) batches.push(event.at);
    }
    expect(batches.length).toBeGreaterThan(2);
    for (let index = 1; index < batches.length; index += 1) expect(batches[index]! - batches[index - 1]!).toBeGreaterThanOrEqual(200);
  });

  it("withdraws the preview of a call that fails mid-answer; the retry writes the day again", async () => {
    beforePiece = (step, index) => {
      if (step === "day-2" && index === 12 && (calls.get("day-2") ?? 0) === 1) throw new Error("socket hang up");
    };
    const id = await newJob(2);
    const stream = await watch(id);
    expect(await runner.start({ id })).toBe("completed");
    await stream.done;

    const dayTwo = stream.partials().filter((preview) => preview.day === 2);
    const withdrawn = dayTwo.findIndex((preview) => preview.value === null);
    expect(withdrawn).toBeGreaterThan(0); // something was shown, then withdrawn
    expect(dayTwo[withdrawn - 1]?.attempt).toBe(1);
    expect(dayTwo.slice(withdrawn + 1).every((preview) => preview.attempt === 2 && preview.value !== null)).toBe(true);
    expect(dayTwo.length).toBeGreaterThan(withdrawn + 1);
    expect(calls.get("day-2")).toBe(2);
    expect(stream.snapshots().at(-1)?.days.map((plan) => plan.day)).toEqual([1, 2]);
  });

  it("resumes with Last-Event-ID across partial events: the previews on show come back, the snapshot does not", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The outline's details and the days write a few pieces, then wait: the job holds still
    // with previews on show.
    beforePiece = (step, index) => (step !== "outline" && index === 5 ? held : undefined);
    const id = await newJob(2);
    const first = await watch(id);
    const run = runner.start({ id });
    const onShow = ["details", "day-1", "day-2"];
    await vi.waitFor(() => expect(new Set(first.partials().map(previewKey))).toEqual(new Set(["outline", ...onShow])), {
      timeout: 10_000,
    });
    const lastId = first.events.filter((event) => event.id !== null).at(-1)!.id!;
    first.close();

    const second = await watch(id, lastId);
    await vi.waitFor(() => expect(second.partials().length).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
    expect(second.snapshots()).toEqual([]); // nothing changed since lastId
    expect(new Set(second.partials().map(previewKey))).toEqual(new Set(onShow));

    release();
    expect(await run).toBe("completed");
    await second.done;
    expect(second.snapshots().at(-1)?.status).toBe("completed");
  });
});
