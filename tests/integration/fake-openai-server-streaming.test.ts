import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createOpenAI } from "@ai-sdk/openai";
import { APICallError, generateText, Output, streamText } from "ai";
import type { z } from "zod";
import { dayPlanSchema, outlineSkeletonSchema, type OutlineSkeleton } from "@/lib/domain/trip";
import { dayPrompt, outlinePrompt, SYSTEM_PROMPT, type TripData } from "@/lib/llm/prompts";
import {
  fakeAnswer,
  simulatedLatencyMs,
  startFakeOpenAIServer,
  type FakeOpenAICall,
  type FakeOpenAIServer,
  type SimulatedModel,
} from "../fixtures/fake-openai-server";
import { tokenPieces } from "../fixtures/fake-openai-stream";

// The fake OpenAI server's streamed replies (`stream: true`), driven by the real
// @ai-sdk/openai provider through streamText with Output.object, over both APIs: partial
// objects arrive while the answer is written, the last one is schema-valid, usage comes
// through, a simulated model paces the tokens, and errors and aborts behave as they would
// against OpenAI.

type Api = "responses" | "chat";

const trip: TripData = {
  destination: "Lisbon, Portugal",
  durationDays: 3,
  startDate: null,
  interests: ["food", "views"],
  pace: "balanced",
  budget: "moderate",
  travellers: 2,
};

/** Timers, HTTP and parsing on a busy machine: how much later than simulated a stream may end. */
const SLACK_MS = 400;

let fake: FakeOpenAIServer;
let provider: ReturnType<typeof createOpenAI>;

const modelFor = (api: Api) => (api === "chat" ? provider.chat("fake-model") : provider.responses("fake-model"));

const only = (): FakeOpenAICall => {
  expect(fake.calls).toHaveLength(1);
  return fake.calls[0]!;
};

interface Streamed<T> {
  /** Each partial object, with when it arrived (ms since the call began). */
  partials: Array<{ value: unknown; at: number }>;
  output: Promise<T>;
  text: Promise<string>;
  usage: Awaited<ReturnType<typeof streamText>["usage"]>;
  endedAt: number;
  errors: unknown[];
}

/** Streams one structured answer, reading every partial object, as the app will. */
async function stream<T>(
  api: Api,
  schema: z.ZodType<T>,
  name: string,
  prompt: string,
  options: { abort?: AbortController; abortAfterPartials?: number } = {},
): Promise<Streamed<T>> {
  const started = performance.now();
  const errors: unknown[] = [];
  const result = streamText({
    model: modelFor(api),
    instructions: SYSTEM_PROMPT,
    prompt,
    output: Output.object({ schema, name }),
    maxRetries: 0,
    abortSignal: options.abort?.signal,
    onError: ({ error }) => void errors.push(error),
  });
  const partials: Streamed<T>["partials"] = [];
  try {
    for await (const value of result.partialOutputStream) {
      partials.push({ value: structuredClone(value), at: performance.now() - started });
      if (partials.length === options.abortAfterPartials) options.abort?.abort();
    }
  } catch (error) {
    errors.push(error);
  }
  const output = Promise.resolve(result.output);
  const text = Promise.resolve(result.text);
  output.catch(() => {});
  text.catch(() => {});
  const usage = await Promise.resolve(result.usage).catch(() => ({}) as Streamed<T>["usage"]);
  await output.catch(() => {});
  return { partials, output, text, usage, endedAt: performance.now() - started, errors };
}

const outlineStream = (api: Api, options?: Parameters<typeof stream>[4]) =>
  stream(api, outlineSkeletonSchema, "itinerary_outline", outlinePrompt(trip), options);

beforeAll(async () => {
  fake = await startFakeOpenAIServer();
  provider = createOpenAI({ apiKey: "test-key", baseURL: fake.url });
});

afterEach(() => fake.reset());

afterAll(async () => {
  await fake.close();
});

describe.each(["responses", "chat"] as const)("streamText over the %s API", (api) => {
  const path = api === "responses" ? "/v1/responses" : "/v1/chat/completions";

  it("streams an outline in partial objects, ending schema-valid with usage", async () => {
    const result = await outlineStream(api);
    const outline = await result.output;
    const call = only();

    expect(call).toMatchObject({ path, api, stream: true, schemaName: "itinerary_outline" });
    expect(call.aborted).toBeFalsy();
    expect(outlineSkeletonSchema.parse(outline)).toEqual(fakeAnswer(call.task!));
    expect(outline.title).toBe("Fake trip to Lisbon, Portugal");

    // Many partial objects before the last one, each no bigger than the next.
    const incomplete = result.partials.filter((partial) => !outlineSkeletonSchema.safeParse(partial.value).success);
    expect(incomplete.length).toBeGreaterThanOrEqual(5);
    expect(result.partials.at(-1)?.value).toEqual(outline);
    const sizes = result.partials.map((partial) => JSON.stringify(partial.value).length);
    expect(sizes[0]).toBeLessThan(JSON.stringify(outline).length / 4);
    expect(result.partials.some((partial) => (partial.value as Partial<OutlineSkeleton>).days?.length === 1)).toBe(true);

    // One delta a token; usage is the same as the one-piece reply's.
    const text = JSON.stringify(fakeAnswer(call.task!));
    expect(call.deltas).toBe(tokenPieces(text).length);
    expect(call.outputTokens).toBe(Math.ceil(text.length / 4));
    expect(result.usage.inputTokens).toBe(Math.ceil(call.prompt.length / 4));
    expect(result.usage.outputTokens).toBe(call.outputTokens);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens! + call.outputTokens!);
    expect(call.firstTokenAt).toBeGreaterThanOrEqual(call.startedAt);
    expect(call.finishedAt).toBeGreaterThanOrEqual(call.firstTokenAt!);
    expect(result.errors).toEqual([]);
  });

  it("streams a day plan that validates against the day schema", async () => {
    const outline = outlineSkeletonSchema.parse(fakeAnswer({ task: "outline", trip }));
    const result = await stream(api, dayPlanSchema, "itinerary_day", dayPrompt(trip, outline, 2));
    const plan = await result.output;
    const call = only();

    expect(call.task).toMatchObject({ task: "day", day: 2 });
    expect(dayPlanSchema.parse(plan)).toEqual(fakeAnswer(call.task!));
    expect(plan.theme).toBe("Fake theme 2");
    expect(result.partials.filter((partial) => !dayPlanSchema.safeParse(partial.value).success).length).toBeGreaterThan(5);
    expect(result.usage.outputTokens).toBe(call.outputTokens);
  });

  it("paces the tokens with a simulated model: partial output early, the whole at the same time as unstreamed", async () => {
    // The outline's skeleton is about 90 tokens: at 200 tokens/s, writing it takes ~450 ms.
    const model: SimulatedModel = { timeToFirstTokenMs: 100, tokensPerSecond: 200 };
    fake.setSimulatedModel(model);

    const result = await outlineStream(api);
    await result.output;
    const call = only();
    const simulatedMs = simulatedLatencyMs(model, call.outputTokens!);
    expect(call.simulatedMs).toBe(simulatedMs);
    const writingMs = simulatedMs - model.timeToFirstTokenMs;
    expect(writingMs).toBeGreaterThan(400); // long enough for the times below to mean something

    // Nothing before the time to first token; the first partial well before the middle of
    // the writing; partials all along; the end no sooner than the one-piece reply.
    const first = result.partials[0]!.at;
    const last = result.partials.at(-1)!.at;
    expect(first).toBeGreaterThanOrEqual(model.timeToFirstTokenMs - 5);
    expect(first).toBeLessThan(model.timeToFirstTokenMs + writingMs / 2);
    const secondHalf = result.partials.filter((partial) => partial.at > model.timeToFirstTokenMs + writingMs / 2);
    expect(secondHalf.length).toBeGreaterThan(3);
    expect(last).toBeGreaterThanOrEqual(simulatedMs - 5);
    expect(result.endedAt).toBeLessThan(simulatedMs + SLACK_MS);

    // The server's own clock says the same.
    expect(call.firstTokenAt! - call.startedAt).toBeGreaterThanOrEqual(model.timeToFirstTokenMs);
    expect(call.firstTokenAt! - call.startedAt).toBeLessThan(model.timeToFirstTokenMs + writingMs / 4);
    const streamedMs = call.finishedAt! - call.startedAt;
    expect(streamedMs).toBeGreaterThanOrEqual(simulatedMs - 1);

    // The same answer unstreamed arrives in one piece after the same time.
    fake.reset();
    fake.setSimulatedModel(model);
    const unstreamed = await generateText({
      model: modelFor(api),
      instructions: SYSTEM_PROMPT,
      prompt: outlinePrompt(trip),
      output: Output.object({ schema: outlineSkeletonSchema, name: "itinerary_outline" }),
      maxRetries: 0,
    });
    const oneCall = only();
    expect(oneCall.stream).toBe(false);
    expect(oneCall.firstTokenAt).toBeUndefined();
    expect(unstreamed.output).toEqual(await result.output);
    expect(Math.abs(oneCall.finishedAt! - oneCall.startedAt - streamedMs)).toBeLessThan(SLACK_MS / 2);
  });

  it("streams at once without a simulated model, still in many deltas", async () => {
    const result = await outlineStream(api);
    await result.output;
    const call = only();
    expect(call.simulatedMs).toBeUndefined();
    expect(call.deltas).toBeGreaterThan(50);
    expect(call.finishedAt! - call.startedAt).toBeLessThan(SLACK_MS);
  });

  it("waits out a delay reply before the stream opens", async () => {
    fake.setReply(() => ({ kind: "delay", ms: 200 }));
    const result = await outlineStream(api);
    expect(outlineSkeletonSchema.safeParse(await result.output).success).toBe(true);
    const call = only();
    expect(call.firstTokenAt! - call.startedAt).toBeGreaterThanOrEqual(195);
  });

  it("answers an http reply with the error status before any stream", async () => {
    fake.setReply(() => ({ kind: "http", status: 500 }));
    const result = await outlineStream(api);

    await expect(result.output).rejects.toThrow();
    expect(result.partials).toEqual([]);
    const error = result.errors.find((candidate) => APICallError.isInstance(candidate));
    expect(error).toBeDefined();
    expect((error as APICallError).statusCode).toBe(500);
    expect((error as APICallError).message).toMatch(/Fake HTTP 500/);
    const call = only();
    expect(call.stream).toBe(true);
    expect(call.firstTokenAt).toBeUndefined();
    expect(call.deltas).toBeUndefined();
  });

  it("records a client that aborts mid-stream, and stops sending", async () => {
    fake.setSimulatedModel({ timeToFirstTokenMs: 20, tokensPerSecond: 200 });
    const abort = new AbortController();
    const result = await outlineStream(api, { abort, abortAfterPartials: 3 });

    await expect(result.output).rejects.toThrow();
    // Partials already on their way may still arrive, but the object never completes.
    expect(result.partials.length).toBeGreaterThanOrEqual(3);
    expect(outlineSkeletonSchema.safeParse(result.partials.at(-1)?.value).success).toBe(false);
    const call = only();
    await vi.waitFor(() => expect(call.aborted).toBe(true));
    expect(call.finishedAt).toBeDefined();
    expect(fake.inFlight).toBe(0);
    expect(call.finishedAt! - call.startedAt).toBeLessThan(call.simulatedMs! / 2);

    // No timer keeps writing: the count of deltas sent stays where the abort left it.
    const sent = call.deltas!;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(call.outputTokens! / 2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(call.deltas).toBe(sent);
  });

  it("records a hang that the client gives up on", async () => {
    fake.setReply(() => ({ kind: "hang" }));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 150);
    const result = await outlineStream(api, { abort });

    await expect(result.output).rejects.toThrow();
    const call = only();
    await vi.waitFor(() => expect(call.aborted).toBe(true));
    expect(call.firstTokenAt).toBeUndefined();
  });

  it("streams a refusal as refusal text, which yields no object", async () => {
    const refusal = "I'm sorry, I can't help with planning this trip.";
    fake.setReply(() => ({ kind: "refusal", text: refusal }));
    const result = await outlineStream(api);

    await expect(result.output).rejects.toThrow();
    expect(await result.text).toBe(refusal);
    const call = only();
    expect(call.deltas).toBe(tokenPieces(refusal).length);
    expect(result.usage.outputTokens).toBe(Math.ceil(refusal.length / 4));
  });

  it("streams an empty reply as a completed stream with no text", async () => {
    fake.setReply(() => ({ kind: "empty" }));
    const result = await outlineStream(api);

    await expect(result.output).rejects.toThrow();
    expect(await result.text).toBe("");
    const call = only();
    expect(call).toMatchObject({ stream: true, deltas: 0, outputTokens: 0 });
    expect(call.aborted).toBeFalsy();
    expect(call.firstTokenAt).toBeUndefined();
    expect(result.usage.outputTokens).toBe(0);
  });
});

/** The events of a text/event-stream body: `event:` name (if any) and `data:` text. */
function events(body: string): Array<{ event?: string; data: string }> {
  return body
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((line) => line.startsWith("event: "))?.slice(7);
      const data = lines.find((line) => line.startsWith("data: "))?.slice(6) ?? "";
      return { event, data };
    });
}

async function post(path: string, body: Record<string, unknown>) {
  const response = await fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "fake-model", stream: true, ...body }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  return events(await response.text());
}

/** Consecutive repeats folded into one, so a sequence of events reads as its shape. */
const shape = (types: string[]) => types.filter((type, index) => type !== types[index - 1]);

describe("the streamed wire format", () => {
  const prompt = outlinePrompt(trip);
  const answer = JSON.stringify(fakeAnswer({ task: "outline", trip }));
  type Chunk = { choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>; usage?: unknown };

  it("sends chat.completion.chunk lines: role, content deltas, stop, usage, [DONE]", async () => {
    const sent = await post("/chat/completions", {
      messages: [{ role: "user", content: prompt }],
      stream_options: { include_usage: true },
    });
    expect(sent.at(-1)?.data).toBe("[DONE]");
    const chunks = sent.slice(0, -1).map((entry) => JSON.parse(entry.data) as Chunk & { object: string; id: string });
    expect(new Set(chunks.map((chunk) => chunk.object))).toEqual(new Set(["chat.completion.chunk"]));
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const content = chunks.slice(1, -2).map((chunk) => chunk.choices[0]!.delta.content as string);
    expect(content.length).toBeGreaterThan(50);
    expect(content.join("")).toBe(answer);
    expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    const tokens = { prompt: Math.ceil(prompt.length / 4), completion: Math.ceil(answer.length / 4) };
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: tokens.prompt,
        completion_tokens: tokens.completion,
        total_tokens: tokens.prompt + tokens.completion,
      },
    });

    // No usage chunk unless asked for; a refusal comes as delta.refusal.
    fake.setReply(() => ({ kind: "refusal", text: "No can do." }));
    const refused = (await post("/chat/completions", { messages: [{ role: "user", content: prompt }] }))
      .slice(0, -1)
      .map((entry) => JSON.parse(entry.data) as Chunk);
    expect(refused.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true);
    expect(refused.map((chunk) => chunk.choices[0]!.delta.refusal ?? "").join("")).toBe("No can do.");
    expect(refused.some((chunk) => typeof chunk.choices[0]!.delta.content === "string")).toBe(false);
  });

  it("sends the Responses API events in order, with sequence numbers", async () => {
    const sent = await post("/responses", { input: prompt });
    const parsed = sent.map((entry) => ({ ...entry, json: JSON.parse(entry.data) as Record<string, any> })); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const [index, entry] of parsed.entries()) {
      expect(entry.event).toBe(entry.json.type);
      expect(entry.json.sequence_number).toBe(index);
    }
    expect(shape(parsed.map((entry) => entry.json.type as string))).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const deltas = parsed.filter((entry) => entry.json.type === "response.output_text.delta");
    expect(deltas.length).toBeGreaterThan(50);
    expect(deltas.map((entry) => entry.json.delta).join("")).toBe(answer);
    const itemId = parsed[2]!.json.item.id as string;
    expect(new Set(deltas.map((entry) => entry.json.item_id))).toEqual(new Set([itemId]));
    const completed = parsed.at(-1)!.json.response;
    expect(completed).toMatchObject({
      id: parsed[0]!.json.response.id,
      status: "completed",
      output: [{ id: itemId, type: "message", content: [{ type: "output_text", text: answer }] }],
      usage: {
        input_tokens: Math.ceil(prompt.length / 4),
        output_tokens: Math.ceil(answer.length / 4),
        total_tokens: Math.ceil(prompt.length / 4) + Math.ceil(answer.length / 4),
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 0 },
      },
    });

    fake.setReply(() => ({ kind: "refusal", text: "No can do." }));
    const refused = (await post("/responses", { input: prompt })).map((entry) => JSON.parse(entry.data) as { type: string });
    expect(shape(refused.map((event) => event.type))).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.refusal.delta",
      "response.refusal.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });

  it("cuts text into token-sized deltas without splitting a character", () => {
    const text = "ab😀cdefg😀😀h";
    const pieces = tokenPieces(text);
    expect(pieces.join("")).toBe(text);
    for (const piece of pieces) expect(piece.isWellFormed()).toBe(true);
    expect(tokenPieces("")).toEqual([]);
    expect(tokenPieces("x".repeat(10))).toEqual(["xxxx", "xxxx", "xx"]);
  });
});
