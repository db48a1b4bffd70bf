import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateWholeTrip, wholeTripSchema } from "@/bench/baseline";
import { parseEnv } from "@/lib/env";
import { generateOutline } from "@/lib/llm/generate";
import { chooseModel, setModelForTests } from "@/lib/llm/model";
import type { TripData } from "@/lib/llm/prompts";
import {
  simulatedLatencyMs,
  startFakeOpenAIServer,
  type FakeOpenAIServer,
  type SimulatedModel,
} from "../fixtures/fake-openai-server";

// The fake server's simulated model: an answer takes time to first token + output tokens ÷
// rate, with the tokens counted from the JSON it returns. The benchmarks compare Itinera's
// many short calls with one long call on the strength of this, so it must hold over HTTP
// through the real provider, not only in the arithmetic.

const MODEL: SimulatedModel = { timeToFirstTokenMs: 150, tokensPerSecond: 2000 };
/** Timers, HTTP and JSON on a busy machine: how much later than simulated an answer may be. */
const SLACK_MS = 400;

const trip = (durationDays: number): TripData => ({
  destination: "Porto, Portugal",
  durationDays,
  startDate: null,
  interests: ["food"],
  pace: "balanced",
  budget: "moderate",
  travellers: 2,
});

let fake: FakeOpenAIServer;

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

beforeAll(async () => {
  fake = await startFakeOpenAIServer({ simulatedModel: MODEL });
  setModelForTests(chooseModel(parseEnv({ OPENAI_API_KEY: "k", OPENAI_BASE_URL: fake.url })));
});

afterEach(() => fake.reset());

afterAll(async () => {
  setModelForTests(undefined);
  await fake.close();
});

describe("simulatedLatencyMs", () => {
  it("is the time to first token plus the tokens at the given rate", () => {
    expect(simulatedLatencyMs({ timeToFirstTokenMs: 500, tokensPerSecond: 60 }, 120)).toBe(2500);
    expect(simulatedLatencyMs({ timeToFirstTokenMs: 0, tokensPerSecond: 50 }, 0)).toBe(0);
    expect(simulatedLatencyMs({ timeToFirstTokenMs: 40, tokensPerSecond: Infinity }, 10_000)).toBe(40);
  });
});

describe("the fake server's simulated model, through @ai-sdk/openai", () => {
  it("takes longer for a longer answer, by its extra tokens at the rate", async () => {
    const short = await timed(() => generateOutline(trip(1)));
    const long = await timed(() => generateWholeTrip(trip(14)));
    const [shortCall, longCall] = fake.calls;
    expect(fake.calls).toHaveLength(2);

    // The tokens the latency was computed from are the ones the client is billed for.
    expect(short.value.usage.outputTokens).toBe(shortCall?.outputTokens);
    expect(long.value.usage.outputTokens).toBe(longCall?.outputTokens);
    const shortTokens = shortCall?.outputTokens ?? 0;
    const longTokens = longCall?.outputTokens ?? 0;
    expect(longTokens).toBeGreaterThan(20 * shortTokens);

    for (const [measured, tokens] of [[short.ms, shortTokens], [long.ms, longTokens]] as const) {
      const expected = simulatedLatencyMs(MODEL, tokens);
      expect(measured).toBeGreaterThanOrEqual(expected - 5);
      expect(measured).toBeLessThan(expected + SLACK_MS);
    }
    const extra = ((longTokens - shortTokens) / MODEL.tokensPerSecond) * 1000;
    expect(long.ms - short.ms).toBeGreaterThan(extra - SLACK_MS);
    expect(longCall?.simulatedMs).toBe(simulatedLatencyMs(MODEL, longTokens));
  });

  it("answers the one-call baseline's request with the whole trip, valid against its schema", async () => {
    const { value } = await generateWholeTrip(trip(3));
    expect(wholeTripSchema.parse(value).days.map((day) => day.day)).toEqual([1, 2, 3]);
    expect(value.days[1]?.activities[0]?.title).toBe("Fake activity 2.1: morning walk");
    expect(fake.calls[0]?.wholeTrip?.trip.durationDays).toBe(3);
    expect(fake.calls[0]?.task).toBeNull();
  });

  it("does not make error replies wait for tokens", async () => {
    fake.setReply(() => ({ kind: "http", status: 503 }));
    const failed = await timed(() => generateOutline(trip(2)).catch((error: unknown) => error));
    expect(failed.ms).toBeLessThan(MODEL.timeToFirstTokenMs);
    expect(fake.calls[0]?.simulatedMs).toBeUndefined();
  });
});
