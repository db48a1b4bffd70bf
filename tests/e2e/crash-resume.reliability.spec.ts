import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import {
  startFakeOpenAIServer,
  type FakeOpenAICall,
  type FakeOpenAIServer,
} from "../fixtures/fake-openai-server";
import { promptStepId } from "../../lib/llm/prompts";
import { freePort, startAppServer, type AppServer } from "./helpers/app-server";

// A production server is SIGKILLed in the middle of a 7-day job, like a machine losing
// power, and started again on the same embedded database. The job must finish by itself,
// with every day exactly once, and the days that had already landed must not be paid for
// twice: the fake OpenAI server counts what the model was asked.

const DAYS = 7;
const LLM_CONCURRENCY = 2;
const FAKE_LATENCY_MS = 700;

interface JobResource {
  id: string;
  status: string;
  progress: number;
  daysCompleted: number;
  days: Array<{ day: number }>;
  outline: { summary: string | null } | null;
  itinerary: Array<{ day: number; activities: unknown[] }> | null;
  error: string | null;
  usage: { totalTokens: number } | null;
}

const taskKey = (call: FakeOpenAICall) =>
  call.task === null ? "unknown" : promptStepId(call.task);

function countByTask(calls: readonly FakeOpenAICall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[taskKey(call)] = (counts[taskKey(call)] ?? 0) + 1;
  return counts;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function getJob(server: AppServer, id: string): Promise<JobResource> {
  const response = await fetch(`${server.url}/api/itineraries/${id}`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  return (await response.json()) as JobResource;
}

let fake: FakeOpenAIServer | undefined;
let pgliteDir: string | undefined;
const servers: AppServer[] = [];

test.describe.configure({ mode: "serial" });

test.afterAll(async () => {
  for (const server of servers) await server.stop().catch(() => {});
  await fake?.close();
  if (pgliteDir) await rm(pgliteDir, { recursive: true, force: true });
});

test("a job interrupted by SIGKILL resumes after a restart without repeating finished days", async () => {
  test.setTimeout(180_000);
  fake = await startFakeOpenAIServer({ port: 0, host: "127.0.0.1", latencyMs: FAKE_LATENCY_MS });
  pgliteDir = await mkdtemp(path.join(tmpdir(), "itinera-crash-"));
  const port = await freePort();
  const env = {
    NODE_ENV: "production",
    PGLITE_DIR: pgliteDir,
    JOB_RUNNER: "local",
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    LLM_API: "responses",
    LLM_MODEL: "fake-model",
    LLM_CONCURRENCY: String(LLM_CONCURRENCY),
    JOB_RETRY_BASE_MS: "50",
    // One job from one client: keep the per-client limits out of the way.
    RATE_LIMIT_MAX_JOBS: "0",
    MAX_CONCURRENT_JOBS_PER_CLIENT: "0",
    NEXT_TELEMETRY_DISABLED: "1",
  };

  // ── First life: submit, wait for some days to land, pull the plug. ──
  let bootStarted = Date.now();
  const first = await startAppServer({ port, env });
  const firstBootMs = Date.now() - bootStarted;
  servers.push(first);
  const created = await fetch(`${first.url}/api/itineraries`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ destination: "Reykjavik, Iceland", durationDays: DAYS, interests: ["nature"] }),
  });
  expect(created.status).toBe(202);
  const { jobId } = (await created.json()) as { jobId: string };

  let beforeKill: JobResource | undefined;
  const waitDeadline = Date.now() + 30_000;
  for (;;) {
    const job = await getJob(first, jobId);
    expect(job.status, "the job finished before it could be interrupted").toBe("processing");
    if (job.daysCompleted >= 2) {
      beforeKill = job;
      break;
    }
    expect(Date.now(), "no two days landed within 30 s").toBeLessThan(waitDeadline);
    await sleep(50);
  }
  await first.kill();
  const killedAt = Date.now();

  const landed = beforeKill.days.map((day) => day.day);
  // The outline's details are written beside the days: stored before the kill, or not yet.
  const detailsLanded = beforeKill.outline?.summary != null;
  expect(landed.length).toBeGreaterThanOrEqual(2);
  expect(landed.length).toBeLessThan(DAYS);
  // Let the fake server notice the dropped connections, then freeze the "before" picture.
  await expect.poll(() => fake?.inFlight, { timeout: 5_000 }).toBe(0);
  const callsBefore = fake.calls.length;
  const countsBefore = countByTask(fake.calls);
  expect(countsBefore.outline).toBe(1);

  // ── Second life: same database, nothing resubmitted. ──
  bootStarted = Date.now();
  const second = await startAppServer({ port, env });
  const secondBootMs = Date.now() - bootStarted;
  servers.push(second);
  let finished: JobResource | undefined;
  const finishDeadline = Date.now() + 60_000;
  for (;;) {
    const job = await getJob(second, jobId);
    if (job.status !== "processing") {
      finished = job;
      break;
    }
    expect(Date.now(), "the resumed job did not finish within 60 s").toBeLessThan(finishDeadline);
    await sleep(200);
  }
  const resumeMs = Date.now() - killedAt;
  const countsAfter = countByTask(fake.calls.slice(callsBefore));
  const countsTotal = countByTask(fake.calls);

  console.info(
    `[crash-resume] days landed before SIGKILL: ${landed.join(", ")} (progress ${beforeKill.progress} %); ` +
      `completed ${resumeMs} ms after the kill (server ready in ${firstBootMs} ms, after the restart in ${secondBootMs} ms)`,
  );
  console.info(`[crash-resume] LLM calls before the crash: ${JSON.stringify(countsBefore)} (details stored: ${detailsLanded})`);
  console.info(`[crash-resume] LLM calls after the restart: ${JSON.stringify(countsAfter)}`);
  console.info(`[crash-resume] LLM calls in total: ${JSON.stringify(countsTotal)}`);

  expect(finished.status, `server log:\n${second.output()}`).toBe("completed");
  expect(second.output()).toContain("resumed 1 unfinished job(s)");
  expect(finished.error).toBeNull();
  expect(finished.progress).toBe(100);
  expect(finished.usage?.totalTokens).toBeGreaterThan(0);
  const numbers = finished.itinerary?.map((day) => day.day);
  expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(new Set(numbers).size).toBe(DAYS);
  expect(finished.itinerary?.every((day) => day.activities.length > 0)).toBe(true);
  expect(finished.outline?.summary).toEqual(expect.any(String));

  // The outline, its details if they had landed and the days that had landed were paid for
  // once, before the crash only.
  expect(countsTotal.outline).toBe(1);
  expect(countsBefore["outline-details"]).toBe(1); // asked beside the days, which had begun
  if (detailsLanded) expect(countsAfter["outline-details"], "details asked again after the restart").toBeUndefined();
  else expect(countsTotal["outline-details"]).toBeGreaterThanOrEqual(2);
  for (const day of landed) {
    expect(countsTotal[`day-${day}`], `day ${day} landed before the crash`).toBe(1);
    expect(countsAfter[`day-${day}`], `day ${day} asked again after the restart`).toBeUndefined();
  }
  // Every other day was asked for at least once, and nothing unexpected was asked.
  expect(Object.keys(countsTotal).toSorted()).toEqual(
    ["outline", "outline-details", ...Array.from({ length: DAYS }, (_, index) => `day-${index + 1}`)].toSorted(),
  );
  for (let day = 1; day <= DAYS; day += 1) expect(countsTotal[`day-${day}`]).toBeGreaterThanOrEqual(1);
  expect(countsTotal.unknown).toBeUndefined();
  expect(Object.keys(countsAfter).length, "the restarted server asked the model for nothing").toBeGreaterThan(0);

  // Stop the server (PGlite allows one process) and look at the rows themselves.
  await second.stop();
  const { PGlite } = await import("@electric-sql/pglite");
  const db = new PGlite(pgliteDir);
  try {
    const days = await db.query<{ day: number; rows: number }>(
      "select day, count(*)::int as rows from itinerary_days where itinerary_id = $1 group by day order by day",
      [jobId],
    );
    expect(days.rows).toEqual(Array.from({ length: DAYS }, (_, index) => ({ day: index + 1, rows: 1 })));
    const jobs = await db.query<{ status: string }>("select status from itineraries");
    expect(jobs.rows).toEqual([{ status: "completed" }]);
  } finally {
    await db.close();
  }
});
