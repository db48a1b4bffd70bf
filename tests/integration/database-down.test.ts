import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, startTemporaryPostgres, type TemporaryPostgres } from "../helpers/postgres";
import { startTcpProxy } from "../helpers/tcp-proxy";

// When the database goes away, requests answer 503 JSON at once (no hang, no stack), and
// the app recovers by itself when it comes back — including a job caught mid-run.

process.env.JOB_RUNNER = "local";
process.env.DEMO_MODEL_LATENCY_MS = "300";
process.env.JOB_RETRY_BASE_MS = "250";
process.env.JOB_MAX_ATTEMPTS = "8";
// Limits on: submits take the locked transaction path, which must survive the outage too.
process.env.RATE_LIMIT_MAX_JOBS = "50";
process.env.MAX_CONCURRENT_JOBS_PER_CLIENT = "0";

let postgres: TemporaryPostgres;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let routes: {
  create: typeof import("@/app/api/itineraries/route");
  item: typeof import("@/app/api/itineraries/[id]/route");
  health: typeof import("@/app/api/health/route");
};

beforeAll(async () => {
  postgres = await startTemporaryPostgres();
  await migratePostgres(postgres.url);
  proxy = await startTcpProxy(postgres.port);
  process.env.DATABASE_URL = postgres.url.replace(`:${postgres.port}/`, `:${proxy.port}/`);
  (await import("@/lib/env")).resetEnvCache();
  routes = {
    create: await import("@/app/api/itineraries/route"),
    item: await import("@/app/api/itineraries/[id]/route"),
    health: await import("@/app/api/health/route"),
  };
}, 120_000);

afterAll(async () => {
  const { localRunner } = await import("@/lib/jobs/local-functions");
  await localRunner().drain();
  await (await import("@/lib/db/client")).closeDb();
  await proxy?.close();
  await postgres?.stop();
});

const post = (destination: string) =>
  routes.create.POST(
    new Request("http://localhost/api/itineraries", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ destination, durationDays: 3 }),
    }),
  );
const get = (id: string) =>
  routes.item.GET(new Request(`http://localhost/api/itineraries/${id}`), { params: Promise.resolve({ id }) });

async function timed(call: () => Promise<Response>) {
  const started = performance.now();
  const response = await call();
  return { response, ms: performance.now() - started, text: await response.text() };
}

function expectUnavailable({ response, ms, text }: Awaited<ReturnType<typeof timed>>, withinMs: number) {
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("5");
  expect(JSON.parse(text).error.code).toBe("database_unavailable");
  expect(text).not.toMatch(/ECONNREFUSED|at .*\.(js|ts)|select |127\.0\.0\.1/i);
  expect(ms).toBeLessThan(withinMs);
}

async function waitForStatus(id: string, status: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await get(id);
    if (response.status === 200 && (await response.json()).status === status) return;
    if (Date.now() > deadline) throw new Error(`job ${id} did not reach ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("when the database goes down", () => {
  it("answers 503 JSON quickly, recovers when it returns, and finishes a job caught mid-run", async () => {
    const accepted = await post("Vienna, Austria");
    expect(accepted.status).toBe(202);
    const { jobId } = (await accepted.json()) as { jobId: string };
    await new Promise((resolve) => setTimeout(resolve, 400));

    await proxy.setMode("refuse");
    expectUnavailable(await timed(() => post("Graz, Austria")), 2000);
    expectUnavailable(await timed(() => get(jobId)), 2000);
    const health = await timed(() => routes.health.GET());
    expect(health.response.status).toBe(503);
    expect(JSON.parse(health.text)).toMatchObject({ status: "degraded", database: { ok: false } });

    // A partition: connections open but nothing answers. Still a 503, bounded by the connect timeout.
    await proxy.setMode("blackhole");
    expectUnavailable(await timed(() => get(jobId)), 5000);

    await proxy.setMode("up");
    const back = await timed(() => get(jobId));
    expect(back.response.status).toBe(200);
    expect((await timed(() => routes.health.GET())).response.status).toBe(200);
    expect((await post("Salzburg, Austria")).status).toBe(202);

    // The job whose steps failed during the outage was retried and completes.
    await waitForStatus(jobId, "completed", 30_000);
  }, 60_000);
});
