import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// Before any app module reads the environment: fast backoff, 3 attempts, 1 s per LLM call
// (the smallest LLM_TIMEOUT_MS the env schema accepts), no cap that could queue calls.
vi.hoisted(() => {
  process.env.JOB_RETRY_BASE_MS = "5";
  process.env.JOB_MAX_ATTEMPTS = "3";
  process.env.LLM_TIMEOUT_MS = "1000";
  process.env.LLM_CONCURRENCY = "20";
  for (const key of ["INNGEST_DEV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) delete process.env[key];
});

import { env, parseEnv, resetEnvCache } from "@/lib/env";
import { findItineraryById, insertItinerary, listDayRows } from "@/lib/db/queries/itineraries";
import { loadStepOutputs } from "@/lib/db/queries/steps";
import { chooseModel, setModelForTests } from "@/lib/llm/model";
import { promptStepId } from "@/lib/llm/prompts";
import { createGenerationRunner } from "@/lib/jobs/local-functions";
import { createTestDatabase } from "../helpers/database";
import { startFakeOpenAIServer, type FakeOpenAICall, type FakeOpenAIServer, type FakeReply } from "../fixtures/fake-openai-server";

// An LLM fault matrix: the real @ai-sdk/openai provider (Responses API) against a fake
// OpenAI server that misbehaves on cue, whole jobs on the in-process runner, a real
// (in-memory) database. For each fault: how the job ends, what the traveller reads, and how
// many times we paid for a model call.

const DAYS = 3;
const ATTEMPTS = 3;
const TIMEOUT_MS = 1000;

let fake: FakeOpenAIServer;
const summary: string[] = [];

const stepOf = (call: FakeOpenAICall) =>
  call.task === null ? "?" : promptStepId(call.task);

function callsByStep(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of fake.calls) counts[stepOf(call)] = (counts[stepOf(call)] ?? 0) + 1;
  return counts;
}

/** A runner wired as lib/jobs/runner.ts wires it; its log is kept for failure messages. */
function makeRunner(log: string[]) {
  const write = (fields: object, message: string) => log.push(`${message} ${JSON.stringify(fields)}`);
  return createGenerationRunner({ logger: { info: write, warn: write, error: write } });
}

let jobCounter = 0;
async function newJob() {
  jobCounter += 1;
  const job = await insertItinerary({
    status: "processing",
    destination: `Faultville ${jobCounter}, Nowhere`,
    durationDays: DAYS,
    startDate: null,
    interests: ["food"],
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    model: "openai-compatible:gpt-5-mini",
    requestHash: `faults-${jobCounter}`,
  });
  return job.id;
}

const openAiError = (message: string, type: string) => ({ error: { message, type, param: null, code: null } });

interface Fault {
  name: string;
  /** The reply the model gives when the fault strikes; `secret` is planted in its body. */
  reply: (secret: string) => FakeReply;
  /** What the traveller reads once the job gave up. */
  error: RegExp;
  /** Minimum milliseconds between an attempt that hit the fault and the next one. */
  waitMs?: number;
  /** The model never answers: each attempt should end at LLM_TIMEOUT_MS. */
  hangs?: boolean;
}

const FAULTS: Fault[] = [
  {
    name: "429 retry-after: 1",
    reply: (secret) => ({ kind: "http", status: 429, headers: { "retry-after": "1" }, body: openAiError(`Rate limit reached ${secret}`, "rate_limit_error") }),
    error: /^The language model is rate limiting requests \(HTTP 429\)\./,
    waitMs: 1000,
  },
  {
    name: "429 retry-after-ms: 200",
    reply: (secret) => ({ kind: "http", status: 429, headers: { "retry-after-ms": "200" }, body: openAiError(`Slow down ${secret}`, "rate_limit_error") }),
    error: /^The language model is rate limiting requests \(HTTP 429\)\./,
    waitMs: 200,
  },
  {
    name: "500",
    reply: (secret) => ({ kind: "http", status: 500, body: openAiError(`Internal error ${secret}`, "server_error") }),
    error: /^The language model is unavailable \(HTTP 500\)\./,
  },
  {
    name: "503",
    reply: (secret) => ({ kind: "http", status: 503, body: `<html>upstream overloaded ${secret}</html>` }),
    error: /^The language model is unavailable \(HTTP 503\)\./,
  },
  { name: "no reply (timeout)", reply: () => ({ kind: "hang" }), error: /^The language model did not answer in time\./, hangs: true },
  {
    name: "malformed JSON",
    reply: (secret) => ({ kind: "text", text: `{"title": "${secret}", "days": [` }),
    error: /^The language model's answer did not match the itinerary format\./,
  },
  {
    name: "JSON breaking the schema",
    reply: (secret) => ({ kind: "json", value: { title: secret, summary: 42, days: [], activities: [] } }),
    error: /^The language model's answer did not match the itinerary format\./,
  },
  {
    name: "refusal",
    reply: (secret) => ({ kind: "refusal", text: `I can't help with that. ${secret}` }),
    error: /^The language model declined to plan this trip\./,
  },
  { name: "empty content", reply: () => ({ kind: "empty" }), error: /^The language model's answer did not match the itinerary format\./ },
  { name: "empty text", reply: () => ({ kind: "text", text: "" }), error: /^The language model's answer did not match the itinerary format\./ },
];

/** Makes the fake model answer `step` with the fault `times` times, then normally. */
function strike(step: string, times: number, reply: FakeReply) {
  fake.setReply((call) => {
    if (stepOf(call) !== step) return undefined;
    const seen = fake.calls.filter((earlier) => stepOf(earlier) === step).length; // includes this call
    return seen <= times ? reply : undefined;
  });
}

async function runJob() {
  const id = await newJob();
  const log: string[] = [];
  const started = Date.now();
  const outcome = await makeRunner(log).start({ id: id });
  const row = await findItineraryById({ id });
  const days = (await listDayRows({ itineraryId: id })).map((day) => day.day);
  return { id, outcome, row, days, log, ms: Date.now() - started };
}

/** Gaps between consecutive calls of one step, from arrival to arrival at the server. */
const gapsOf = (step: string) => {
  const starts = fake.calls.filter((call) => stepOf(call) === step).map((call) => call.startedAt);
  return starts.slice(1).map((start, index) => start - starts[index]!);
};

function record(fault: string, mode: string, step: string, outcome: string, ms: number, extra = "") {
  const counts = Object.entries(callsByStep()).map(([key, count]) => `${key}×${count}`).join(" ");
  summary.push(`${fault.padEnd(26)} ${mode.padEnd(10)} ${step.padEnd(8)} ${outcome.padEnd(10)} calls=${String(fake.calls.length).padEnd(2)} [${counts}] ${ms} ms${extra}`);
}

beforeAll(async () => {
  resetEnvCache();
  expect(env()).toMatchObject({ JOB_MAX_ATTEMPTS: ATTEMPTS, LLM_TIMEOUT_MS: TIMEOUT_MS });
  await createTestDatabase();
  fake = await startFakeOpenAIServer();
  setModelForTests(chooseModel(parseEnv({ OPENAI_API_KEY: "sk-test-key", OPENAI_BASE_URL: fake.url, LLM_API: "responses" })));
});

afterEach(() => fake.reset());

afterAll(async () => {
  setModelForTests(undefined);
  await fake?.close();
  console.info(`LLM fault matrix (JOB_MAX_ATTEMPTS=${ATTEMPTS}, ${DAYS}-day jobs, Responses API):\n${summary.join("\n")}`);
});

describe.each(FAULTS)("LLM fault: $name", (fault) => {
  it("once on a day: that day is retried, the job completes, nothing else is asked twice", async () => {
    strike("day-2", 1, fault.reply(`sk-SECRET-${fault.name}`));
    const { outcome, row, days, log, ms } = await runJob();

    expect(outcome, log.join("\n")).toBe("completed");
    expect(row).toMatchObject({ status: "completed", progress: 100, error: null });
    expect(row?.itinerary?.map((plan) => plan.day)).toEqual([1, 2, 3]);
    expect(days).toEqual([1, 2, 3]);
    expect(callsByStep()).toEqual({ outline: 1, "outline-details": 1, "day-1": 1, "day-2": 2, "day-3": 1 });
    if (fault.waitMs) expect(gapsOf("day-2")[0]).toBeGreaterThanOrEqual(fault.waitMs);
    const wait = fault.waitMs ? `, waited ${gapsOf("day-2")[0]} ms` : "";
    record(fault.name, "once", "day-2", outcome, ms, wait);
  });

  it("once on the outline's details: they are retried alone, the job completes with them", async () => {
    strike("outline-details", 1, fault.reply(`sk-SECRET-${fault.name}`));
    const { outcome, row, days, log, ms } = await runJob();

    expect(outcome, log.join("\n")).toBe("completed");
    expect(row).toMatchObject({ status: "completed", progress: 100, error: null });
    expect(row?.outline?.summary).toEqual(expect.any(String));
    expect(row?.outline?.summary).not.toContain("SECRET");
    expect(days).toEqual([1, 2, 3]);
    expect(callsByStep()).toEqual({ outline: 1, "outline-details": 2, "day-1": 1, "day-2": 1, "day-3": 1 });
    if (fault.waitMs) expect(gapsOf("outline-details")[0]).toBeGreaterThanOrEqual(fault.waitMs);
    const wait = fault.waitMs ? `, waited ${gapsOf("outline-details")[0]} ms` : "";
    record(fault.name, "once", "details", outcome, ms, wait);
  });

  it(`on every call: the job fails after ${ATTEMPTS} attempts with a readable error and no provider body`, async () => {
    const secret = `sk-SECRET-${fault.name.replace(/\W+/g, "-")}-${Math.random().toString(36).slice(2)}`;
    strike("outline", Infinity, fault.reply(secret));
    const { outcome, row, days, ms } = await runJob();

    expect(outcome).toBe("failed");
    expect(row?.status).toBe("failed");
    expect(row?.completedAt).toBeInstanceOf(Date);
    expect(row?.itinerary).toBeNull();
    expect(days).toEqual([]);
    expect(callsByStep()).toEqual({ outline: ATTEMPTS });
    expect(row?.error).toMatch(fault.error);
    expect(row?.error).toMatch(/We tried several times and gave up; please try again later\.$/);
    expect(row?.error).not.toContain(secret);
    expect(row?.error).not.toMatch(/[{}<>]|SECRET|sk-/);
    if (fault.waitMs) for (const gap of gapsOf("outline")) expect(gap).toBeGreaterThanOrEqual(fault.waitMs);
    if (fault.hangs) {
      // Each attempt gave up at LLM_TIMEOUT_MS and the server saw the request closed.
      await expect.poll(() => fake.inFlight).toBe(0);
      for (const call of fake.calls) {
        expect(call.aborted).toBe(true);
        expect(call.finishedAt! - call.startedAt).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
        expect(call.finishedAt! - call.startedAt).toBeLessThan(TIMEOUT_MS + 1500);
      }
    }
    record(fault.name, "always", "outline", outcome, ms);
  });
});

describe("LLM fault: persistent on one day", () => {
  it("fails the job after that day's attempts; the other days land but the job never completes", async () => {
    const secret = "sk-SECRET-day-503";
    strike("day-2", Infinity, { kind: "http", status: 503, body: openAiError(`overloaded ${secret}`, "server_error") });
    const { id, outcome, row, days, ms } = await runJob();

    expect(outcome).toBe("failed");
    expect(row?.status).toBe("failed");
    expect(row?.error).toBe("The language model is unavailable (HTTP 503). We tried several times and gave up; please try again later.");
    expect(callsByStep()).toEqual({ outline: 1, "outline-details": 1, "day-1": 1, "day-2": ATTEMPTS, "day-3": 1 });
    expect(days).toEqual([1, 3]);
    expect([...(await loadStepOutputs({ jobId: id })).keys()]).not.toContain("finalize");
    record("503", "always", "day-2", outcome, ms);
  });
});

describe("LLM fault: persistent on the outline's details", () => {
  it("fails the job after the details' attempts; the days are asked once and the job never completes", async () => {
    const secret = "sk-SECRET-details-503";
    strike("outline-details", Infinity, { kind: "http", status: 503, body: openAiError(`overloaded ${secret}`, "server_error") });
    const { id, outcome, row, ms } = await runJob();

    expect(outcome).toBe("failed");
    expect(row?.status).toBe("failed");
    expect(row?.error).toBe("The language model is unavailable (HTTP 503). We tried several times and gave up; please try again later.");
    expect(row?.itinerary).toBeNull();
    expect(row?.outline?.summary).toBeUndefined();
    expect(callsByStep()).toEqual({ outline: 1, "outline-details": ATTEMPTS, "day-1": 1, "day-2": 1, "day-3": 1 });
    expect([...(await loadStepOutputs({ jobId: id })).keys()]).not.toContain("finalize");
    record("503", "always", "details", outcome, ms);
  });
});

describe("LLM fault: 401 (rejected API key)", () => {
  it("fails at once after exactly one call and tells the operator to check OPENAI_API_KEY", async () => {
    const secret = "sk-proj-SECRET-401-key";
    fake.setReply(() => ({
      kind: "http",
      status: 401,
      body: openAiError(`Incorrect API key provided: ${secret}`, "invalid_request_error"),
    }));
    const { outcome, row, days, ms } = await runJob();

    expect(outcome).toBe("failed");
    expect(row?.status).toBe("failed");
    expect(row?.error).toBe("The language model refused our credentials (HTTP 401). The operator should check OPENAI_API_KEY.");
    expect(row?.error).not.toContain(secret);
    expect(fake.calls).toHaveLength(1);
    expect(days).toEqual([]);
    record("401", "always", "outline", outcome, ms);
  });
});
