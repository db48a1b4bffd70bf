import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { numberFlag, onInterrupt, readFlags, runMain } from "./support/cli";
import { runSlice, summarize, type LoadSample, type LoadResult, type LoadSpec } from "./support/load";
import { describeMachine, machineLine } from "./support/machine";
import { ensureBuild } from "./support/next-build";
import { printJsonLine, printTable, round, seconds, targetRows, type Target } from "./support/report";
import { freePort, startAppServer } from "../tests/e2e/helpers/app-server";
import { startFakeOpenAIServer } from "../tests/fixtures/fake-openai-server";

// Bench 3 — the JSON API against its floor, on the production build (`next start`): a
// route that does no work at all, then submitting a job, reading a job, and a conditional
// read answered 304, each driven by autocannon at the same connections for the same total
// time. The time is cut into slices run in the order A B C D D C B A…, so that a busy
// moment of a shared machine falls on every route alike. The model never answers the jobs
// POSTed here: the runner's work is measured by the overhead and burst benches, and this
// one measures what a request itself costs.

const flags = readFlags({
  "reuse-build": { type: "boolean" },
  duration: { type: "string" },
  connections: { type: "string" },
});
const DURATION_S = numberFlag(flags.duration, 10, "duration");
const CONNECTIONS = numberFlag(flags.connections, 50, "connections");
/** Each route's time is run as this many slices, interleaved with the other routes'. */
const SLICES = 5;
const WARM_UP_S = 2;
const SEED_DESTINATION = "Seed City";
const SEED_DAYS = 7;
const SEED_DAYS_DONE = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface JobResource {
  status: string;
  daysCompleted: number;
}

/** A job that stays processing with some days landed: what a poller reads most often. */
async function seedJob(baseUrl: string): Promise<{ id: string; etag: string }> {
  const response = await fetch(`${baseUrl}/api/itineraries`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ destination: SEED_DESTINATION, durationDays: SEED_DAYS }),
  });
  if (response.status !== 202) throw new Error(`seeding answered ${response.status}: ${await response.text()}`);
  const { jobId } = (await response.json()) as { jobId: string };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const read = await fetch(`${baseUrl}/api/itineraries/${jobId}`);
    const job = (await read.json()) as JobResource;
    if (job.daysCompleted >= SEED_DAYS_DONE) return { id: jobId, etag: read.headers.get("etag") ?? "" };
    if (Date.now() > deadline) throw new Error(`the seed job did not reach ${SEED_DAYS_DONE} days: ${JSON.stringify(job)}`);
    await sleep(100);
  }
}

let clientNumber = 0;
/** Every submission from another traveller (a documentation-range address, only hashed). */
function fromAnotherClient(request: { headers?: Record<string, unknown> }) {
  clientNumber += 1;
  return { ...request, headers: { ...request.headers, "x-forwarded-for": `2001:db8::${clientNumber.toString(16)}` } };
}

async function main() {
  const started = performance.now();
  const build = await ensureBuild({ reuse: Boolean(flags["reuse-build"]) });
  const folder = await mkdtemp(path.join(os.tmpdir(), "itinera-bench-api-"));
  const forgetFolder = onInterrupt(() => rm(folder, { recursive: true, force: true }));
  // Answers the seed job's outline and first days; every other call waits forever.
  const fake = await startFakeOpenAIServer({
    reply: (call) =>
      call.task?.trip.destination === SEED_DESTINATION && (call.task.task !== "day" || call.task.day <= SEED_DAYS_DONE)
        ? undefined
        : { kind: "hang" },
  });
  const server = await startAppServer({
    port: await freePort(),
    readyTimeoutMs: 120_000,
    env: {
      PGLITE_DIR: path.join(folder, "pglite"),
      JOB_RUNNER: "local",
      OPENAI_API_KEY: "bench-key",
      OPENAI_BASE_URL: fake.url,
      LLM_MODEL: "fake-model",
      LLM_TIMEOUT_MS: "600000",
      // Limits raised so no submission is refused, but on: every submit takes the atomic
      // check-and-insert. Each request comes from its own address, through a trusted header.
      RATE_LIMIT_MAX_JOBS: "100000",
      MAX_CONCURRENT_JOBS_PER_CLIENT: "10000",
      TRUSTED_CLIENT_IP_HEADER: "x-forwarded-for",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  const forgetServer = onInterrupt(() => server.kill());
  try {
    const seed = await seedJob(server.url);
    const specs: LoadSpec[] = [
      { name: "GET /api/health/live (floor)", url: `${server.url}/api/health/live`, expectStatus: 200 },
      {
        name: "POST /api/itineraries",
        url: `${server.url}/api/itineraries`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ destination: "Lisbon, Portugal", durationDays: 3, interests: ["food"] }),
        setupRequest: fromAnotherClient,
        expectStatus: 202,
      },
      { name: `GET /api/itineraries/{id} (${SEED_DAYS_DONE} of ${SEED_DAYS} days)`, url: `${server.url}/api/itineraries/${seed.id}`, expectStatus: 200 },
      {
        name: "GET /api/itineraries/{id} If-None-Match → 304",
        url: `${server.url}/api/itineraries/${seed.id}`,
        headers: { "if-none-match": seed.etag },
        expectStatus: 304,
      },
    ];
    for (const spec of specs) await runSlice(spec, { connections: 10, durationS: WARM_UP_S });
    const samples: LoadSample[][] = specs.map(() => []);
    for (let slice = 0; slice < SLICES; slice += 1) {
      const order = specs.map((_, index) => index);
      if (slice % 2 === 1) order.reverse();
      for (const index of order) {
        samples[index]!.push(await runSlice(specs[index]!, { connections: CONNECTIONS, durationS: DURATION_S / SLICES }));
      }
    }
    const results: LoadResult[] = specs.map((spec, index) => summarize(spec, samples[index]!));

    const [floor, post, get, notModified] = results as [LoadResult, LoadResult, LoadResult, LoadResult];
    const rows = results.map((result) => ({
      ...result,
      requestsPerSecond: round(result.requestsPerSecond),
      p50Ms: round(result.p50Ms, 2),
      p99Ms: round(result.p99Ms, 2),
      p50VsFloor: round(result.p50Ms / floor.p50Ms, 2),
      p99VsFloor: round(result.p99Ms / floor.p99Ms, 2),
      throughputVsFloor: round(result.requestsPerSecond / floor.requestsPerSecond, 2),
    }));
    printTable(
      `API against its floor — next start, ${CONNECTIONS} connections, ${DURATION_S} s per route in ${SLICES} interleaved slices (after ${WARM_UP_S} s warm-ups), local runner, PGlite\n${machineLine()}`,
      [
        ["route", "req/s", "p50 (ms)", "p99 (ms)", "p50 ÷ floor", "p99 ÷ floor", "req/s ÷ floor", "answers", "unexpected"],
        ...rows.map((row) => [row.name, row.requestsPerSecond, row.p50Ms, row.p99Ms, row.p50VsFloor, row.p99VsFloor, row.throughputVsFloor, row.answers, row.unexpected]),
      ],
    );
    const targets: Target[] = [
      { name: "POST p99 ÷ floor p99", value: post.p99Ms / floor.p99Ms, op: "≤", limit: 3 },
      { name: "POST throughput", value: post.requestsPerSecond, op: "≥", limit: 300, unit: " req/s" },
      { name: "GET p99 ÷ floor p99", value: get.p99Ms / floor.p99Ms, op: "≤", limit: 1.5 },
      { name: "GET 304 p99 ÷ floor p99", value: notModified.p99Ms / floor.p99Ms, op: "≤", limit: 1.5 },
    ];
    printTable("Targets", targetRows(targets));
    printJsonLine(
      "api",
      {
        connections: CONNECTIONS,
        durationS: DURATION_S,
        buildS: build.built ? seconds(build.ms) : null,
        rows,
        elapsedS: seconds(performance.now() - started),
        machine: describeMachine(),
      },
      targets,
    );
  } catch (error) {
    console.error(server.output().slice(-4000));
    throw error;
  } finally {
    await server.stop();
    await fake.close();
    await rm(folder, { recursive: true, force: true });
    forgetServer();
    forgetFolder();
  }
}

runMain(main);
