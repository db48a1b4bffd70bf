import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAIServer, type FakeOpenAIServer } from "../fixtures/fake-openai-server";
import { promptStepId } from "@/lib/llm/prompts";
import { migratePostgres, startTemporaryPostgres, type TemporaryPostgres } from "../helpers/postgres";
import { startTcpProxy } from "../helpers/tcp-proxy";

// A 30 s database outage in the middle of generation does not spend model calls: steps wait
// for the database without using up attempts, and an answer that arrived during the outage
// is kept until it can be written. Model calls are counted at a fake OpenAI-compatible server.

const JOBS = 4;
const DAYS = 3;

let postgres: TemporaryPostgres;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let fake: FakeOpenAIServer;

beforeAll(async () => {
  fake = await startFakeOpenAIServer({ latencyMs: 1_200 });
  postgres = await startTemporaryPostgres();
  await migratePostgres(postgres.url);
  proxy = await startTcpProxy(postgres.port);
  Object.assign(process.env, {
    JOB_RUNNER: "local",
    DATABASE_URL: postgres.url.replace(`:${postgres.port}/`, `:${proxy.port}/`),
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: fake.url,
    LLM_API: "chat",
    LLM_MODEL: "fake-model",
    JOB_RETRY_BASE_MS: "200",
    JOB_MAX_ATTEMPTS: "3",
    RATE_LIMIT_MAX_JOBS: "0",
    MAX_CONCURRENT_JOBS_PER_CLIENT: "0",
  });
  (await import("@/lib/env")).resetEnvCache();
}, 120_000);

afterAll(async () => {
  const { localRunner } = await import("@/lib/jobs/local-functions");
  await localRunner().drain();
  await (await import("@/lib/db/client")).closeDb();
  await proxy?.close();
  await postgres?.stop();
  await fake?.close();
});

describe("a database outage mid-run", () => {
  it("completes every job with exactly one model call per step", async () => {
    const { submitItinerary } = await import("@/lib/itineraries/submit");
    const { localRunner } = await import("@/lib/jobs/local-functions");
    const { findItineraryById } = await import("@/lib/db/queries/itineraries");
    const ids: string[] = [];
    for (let index = 0; index < JOBS; index += 1) {
      ids.push((await submitItinerary({ destination: `Outage ${index}, Portugal`, durationDays: DAYS })).job.id);
    }
    // Down for 30 s while outlines and days are being answered: far longer than three
    // quick attempts, so without waiting the outage out every job would run out of them.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await proxy.setMode("refuse");
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    await proxy.setMode("up");
    const back = Date.now();
    await localRunner().drain();
    // Nothing stays processing once the database is back.
    expect(Date.now() - back).toBeLessThan(60_000);

    for (const id of ids) expect((await findItineraryById({ id }))?.status).toBe("completed");
    const perStep = new Map<string, number>();
    for (const call of fake.calls) {
      const key = `${call.task?.trip.destination}#${call.task ? promptStepId(call.task) : "unknown"}`;
      perStep.set(key, (perStep.get(key) ?? 0) + 1);
    }
    // The outline's skeleton, its details and each day: one call each.
    expect(fake.calls).toHaveLength(JOBS * (2 + DAYS));
    expect([...perStep.values()].every((count) => count === 1)).toBe(true);
    expect(perStep.size).toBe(JOBS * (2 + DAYS));
    for (const id of ids) expect((await findItineraryById({ id }))?.outline?.summary).toEqual(expect.any(String));
  }, 150_000);
});
