import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Before any app module reads the environment: the local runner, a small LLM cap, fast
// retries, and the per-client limits off (one test process is one "client").
vi.hoisted(() => {
  process.env.JOB_RUNNER = "local";
  process.env.LLM_CONCURRENCY = "4";
  process.env.JOB_RETRY_BASE_MS = "5";
  process.env.RATE_LIMIT_MAX_JOBS = "0";
  process.env.MAX_CONCURRENT_JOBS_PER_CLIENT = "0";
  delete process.env.DATABASE_URL;
  delete process.env.INNGEST_DEV;
  delete process.env.INNGEST_EVENT_KEY;
});

import type { PGlite } from "@electric-sql/pglite";
import { env, parseEnv, resetEnvCache } from "@/lib/env";
import { findItineraryById } from "@/lib/db/queries/itineraries";
import { submitItinerary } from "@/lib/itineraries/submit";
import { localRunner } from "@/lib/jobs/local-functions";
import { chooseModel, setModelForTests } from "@/lib/llm/model";
import { promptStepId } from "@/lib/llm/prompts";
import { createTestDatabase } from "../helpers/database";
import { startFakeOpenAIServer, type FakeOpenAIServer } from "../fixtures/fake-openai-server";
import { seeded } from "../helpers/seeded-random";

// 500 itineraries requested at once against the in-process runner and the real OpenAI
// provider, talking HTTP to a fast fake model. Every accepted job must finish, the model
// must never see more than LLM_CONCURRENCY requests at once, and no call may be wasted.

const JOBS = 500;
const FAKE_LATENCY_MS = 5;
const TERMINAL_TIMEOUT_MS = 120_000;
const SEED = 20_240_611;

let fake: FakeOpenAIServer;
let client: PGlite;

beforeAll(async () => {
  const setupStarted = performance.now();
  resetEnvCache();
  expect(env()).toMatchObject({ JOB_RUNNER: "local", LLM_CONCURRENCY: 4, JOB_RETRY_BASE_MS: 5 });
  fake = await startFakeOpenAIServer({ port: 0, host: "127.0.0.1", latencyMs: FAKE_LATENCY_MS });
  ({ client } = await createTestDatabase());
  setModelForTests(
    chooseModel(parseEnv({ OPENAI_API_KEY: "k", OPENAI_BASE_URL: fake.url, LLM_API: "responses" })),
  );
  console.info(`[load] setup (fake server, in-memory PGlite, migrations) ${Math.round(performance.now() - setupStarted)} ms`);
});

afterAll(async () => {
  const teardownStarted = performance.now();
  await localRunner().drain();
  await fake?.close();
  await client?.close();
  console.info(`[load] teardown ${Math.round(performance.now() - teardownStarted)} ms`);
});

async function statusCounts(): Promise<Record<string, number>> {
  const { rows } = await client.query<{ status: string; count: number }>(
    "select status, count(*)::int as count from itineraries group by status",
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}

describe("500 jobs submitted at once on the local runner", () => {
  it("all finish, the LLM cap holds at the model server, and no call is wasted", { timeout: 180_000 }, async () => {
    const random = seeded(SEED);
    const requests = Array.from({ length: JOBS }, (_, index) => ({
      // Unique destinations let each model call be traced back to its job.
      destination: `Load City ${index + 1}`,
      durationDays: 1 + Math.floor(random() * 3),
      interests: ["food"],
    }));

    const started = performance.now();
    const results = await Promise.allSettled(requests.map((request) => submitItinerary(request)));
    const submitMs = performance.now() - started;
    const rejected = results.filter((result) => result.status === "rejected");
    expect(rejected.map((result) => String(result.reason)).slice(0, 3)).toEqual([]);
    const jobs = results.flatMap((result) => (result.status === "fulfilled" ? [result.value.job] : []));
    expect(jobs).toHaveLength(JOBS);
    expect(jobs.every((job, index) => job.status === "processing" && job.destination === requests[index]?.destination)).toBe(true);
    expect(new Set(jobs.map((job) => job.id)).size).toBe(JOBS);

    let counts: Record<string, number> = {};
    const deadline = Date.now() + TERMINAL_TIMEOUT_MS;
    for (;;) {
      counts = await statusCounts();
      if (!counts.processing) break;
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const wallMs = performance.now() - started;
    const terminal = JOBS - (counts.processing ?? 0);
    // The outline's skeleton, its details and each day: N + 2 calls a job.
    const expectedCalls = requests.reduce((sum, request) => sum + 2 + request.durationDays, 0);

    console.info(
      `[load] submitted ${jobs.length}/${JOBS} in ${Math.round(submitMs)} ms; terminal ${terminal}/${JOBS} ` +
        `${JSON.stringify(counts)}; wall time ${(wallMs / 1000).toFixed(1)} s`,
    );
    console.info(
      `[load] model calls ${fake.calls.length} (expected ${expectedCalls}); peak in flight at the fake server ` +
        `${fake.peakInFlight} (LLM_CONCURRENCY ${env().LLM_CONCURRENCY})`,
    );

    const { rows: latency } = await client.query<{ first: number; median: number; last: number }>(
      `select round(min(ms))::int as first, round(percentile_cont(0.5) within group (order by ms))::int as median,
              round(max(ms))::int as last
         from (select extract(epoch from completed_at - created_at) * 1000 as ms
                 from itineraries where status = 'completed') as done`,
    );
    console.info(`[load] submit→completed latency (ms): ${JSON.stringify(latency[0])}`);

    expect(counts, `not terminal within ${TERMINAL_TIMEOUT_MS / 1000} s`).toEqual({ completed: JOBS });

    // The cap is process-wide, and it was actually exercised.
    expect(fake.peakInFlight).toBeLessThanOrEqual(env().LLM_CONCURRENCY);
    expect(fake.peakInFlight).toBeGreaterThan(1);

    // Exactly one outline, one details and one call per day for every job: no retries, no repeats.
    expect(fake.calls).toHaveLength(expectedCalls);
    const perTask = new Map<string, number>();
    for (const call of fake.calls) {
      const task = call.task;
      expect(task).not.toBeNull();
      if (!task) continue;
      const key = `${task.trip.destination}|${promptStepId(task)}`;
      perTask.set(key, (perTask.get(key) ?? 0) + 1);
    }
    expect([...perTask.values()].every((count) => count === 1)).toBe(true);
    expect(perTask.size).toBe(expectedCalls);
    expect([...perTask.keys()].filter((key) => key.endsWith("|outline-details"))).toHaveLength(JOBS);

    // What a client would read back: each itinerary complete, days numbered 1..N.
    const { rows: dayRows } = await client.query<{ n: number }>("select count(*)::int as n from itinerary_days");
    expect(dayRows[0]?.n).toBe(expectedCalls - 2 * JOBS);
    for (const [index, submitted] of jobs.entries()) {
      const job = await findItineraryById({ id: submitted.id });
      const days = requests[index]?.durationDays ?? 0;
      expect(job?.status).toBe("completed");
      expect(job?.progress).toBe(100);
      expect(job?.itinerary?.map((day) => day.day)).toEqual(Array.from({ length: days }, (_, day) => day + 1));
      expect(job?.outline?.summary).toEqual(expect.any(String));
    }
  });
});
