import { expect, test } from "@playwright/test";
import { startFakeOpenAIServer, type FakeOpenAICall, type FakeOpenAIServer } from "../fixtures/fake-openai-server";
import { promptStepId } from "../../lib/llm/prompts";
import { migratePostgres, startTemporaryPostgres, type TemporaryPostgres } from "../helpers/postgres";
import { freePort, startAppServer, type AppServer } from "./helpers/app-server";

// Two production servers on one PostgreSQL with the local runner: one leads and runs every
// job (the other hands its submissions over), so no model call is made twice; when the
// leader is SIGKILLed mid-run, the other takes over and finishes every job, repeating only
// the calls that were in flight at the kill. Model calls are counted at a fake server.

const JOBS = 20;
const DAYS = 2;
const LLM_CONCURRENCY = 3;
/** Each job: the outline's skeleton, its details and each day. */
const MINIMUM_CALLS = JOBS * (2 + DAYS);

const stepOf = (call: FakeOpenAICall) => `${call.task?.trip.destination}#${call.task ? promptStepId(call.task) : "unknown"}`;
const repeated = (calls: readonly FakeOpenAICall[]) => {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(stepOf(call), (counts.get(stepOf(call)) ?? 0) + 1);
  return [...counts.values()].filter((count) => count > 1).length;
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let postgres: TemporaryPostgres | undefined;
let fake: FakeOpenAIServer | undefined;
const servers: AppServer[] = [];

test.describe.configure({ mode: "serial" });

test.afterAll(async () => {
  for (const server of servers) await server.stop().catch(() => {});
  await fake?.close();
  await postgres?.stop();
});

test("one leader runs every job; when it dies the other instance finishes them all", async () => {
  test.setTimeout(240_000);
  fake = await startFakeOpenAIServer({ port: 0, host: "127.0.0.1", latencyMs: 600 });
  postgres = await startTemporaryPostgres();
  await migratePostgres(postgres.url);
  const env = {
    NODE_ENV: "production",
    DATABASE_URL: postgres.url,
    JOB_RUNNER: "local",
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    LLM_API: "responses",
    LLM_MODEL: "fake-model",
    LLM_CONCURRENCY: String(LLM_CONCURRENCY),
    JOB_RETRY_BASE_MS: "50",
    RATE_LIMIT_MAX_JOBS: "0",
    MAX_CONCURRENT_JOBS_PER_CLIENT: "0",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const leader = await startAppServer({ port: await freePort(), env, readyTimeoutMs: 120_000 });
  servers.push(leader);
  const health = async (server: AppServer) => (await (await fetch(`${server.url}/api/health`)).json()) as { leader: boolean | null };
  await expect.poll(async () => (await health(leader)).leader, { timeout: 15_000 }).toBe(true);
  const follower = await startAppServer({ port: await freePort(), env, readyTimeoutMs: 120_000 });
  servers.push(follower);
  await expect.poll(async () => (await health(follower)).leader, { timeout: 15_000 }).toBe(false);

  // Half the jobs are submitted to each instance; the follower hands its own to the leader.
  const ids: string[] = [];
  for (let index = 0; index < JOBS; index += 1) {
    const server = index % 2 === 0 ? leader : follower;
    const created = await fetch(`${server.url}/api/itineraries`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ destination: `Twin ${index}, Portugal`, durationDays: DAYS }),
    });
    expect(created.status).toBe(202);
    ids.push(((await created.json()) as { jobId: string }).jobId);
  }

  // Let a part of the work land, then pull the leader's plug.
  await expect.poll(() => fake!.calls.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(MINIMUM_CALLS / 3);
  expect(repeated(fake.calls)).toBe(0);
  const inFlightAtKill = fake.inFlight;
  await leader.kill();
  const killedAt = Date.now();
  await expect.poll(async () => (await health(follower)).leader, { timeout: 15_000, intervals: [100] }).toBe(true);
  const takeoverMs = Date.now() - killedAt;

  const deadline = Date.now() + 120_000;
  for (const id of ids) {
    for (;;) {
      const job = (await (await fetch(`${follower.url}/api/itineraries/${id}`)).json()) as { status: string };
      if (job.status !== "processing") {
        expect(job.status).toBe("completed");
        break;
      }
      expect(Date.now(), `job ${id} did not finish after the takeover`).toBeLessThan(deadline);
      await sleep(200);
    }
  }
  const extra = fake.calls.length - MINIMUM_CALLS;
  console.info(
    `[two-instances] ${JOBS} jobs, ${fake.calls.length} model calls (minimum ${MINIMUM_CALLS}, ${inFlightAtKill} in flight at the kill); takeover in ${takeoverMs} ms`,
  );
  // Only the calls the dead leader had in flight may be made again.
  expect(extra).toBeLessThanOrEqual(LLM_CONCURRENCY);
  expect(repeated(fake.calls)).toBeLessThanOrEqual(LLM_CONCURRENCY);
  // Every step of every job was asked for: none was skipped.
  expect(new Set(fake.calls.map(stepOf)).size).toBe(MINIMUM_CALLS);
});
