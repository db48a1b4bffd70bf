import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { numberFlag, onInterrupt, readFlags, runMain } from "./support/cli";
import { describeMachine, machineLine } from "./support/machine";
import { ensureBuild } from "./support/next-build";
import { printJsonLine, printTable, round, seconds, targetRows, type Cell, type Target } from "./support/report";
import { percentile } from "./support/stats";
import { freePort, startAppServer, type AppServer } from "../tests/e2e/helpers/app-server";
import { startFakeOpenAIServer } from "../tests/fixtures/fake-openai-server";
import { migratePostgres, startTemporaryPostgres, TEST_DATABASE_NAME, type TemporaryPostgres } from "../tests/helpers/postgres";

// Live-update watchers against the production server (`next start` of a build), once on
// the embedded default (PGlite, no DATABASE_URL) and once on PostgreSQL (a throwaway
// server): N event streams (GET /api/itineraries/{id}/events over HTTP, one connection
// each) of a job that stays processing (its model call never answers), then
// - GET /api/health/live every PROBE_INTERVAL_MS, timed, with no watcher, while the N watch
//   quietly, and while a change is broadcast to them;
// - the database statements in a quiet window, with and without the watchers;
// - the change: POST /api/itineraries/{id}/cancel through the app, and when each watcher
//   received the snapshot saying "cancelled";
// - the server's resident memory before the watchers connect and while they watch.
// The watchers run in a child process (bench/support/sse-watchers.ts), so reading their
// streams never delays the liveness probes, which this process sends and times.

const flags = readFlags({
  "reuse-build": { type: "boolean" },
  watchers: { type: "string" },
  seconds: { type: "string" },
  databases: { type: "string" },
  "cpu-prof": { type: "string" },
  "open-concurrency": { type: "string" },
});
const WATCHERS = numberFlag(flags.watchers, 1000, "watchers");
const SECONDS = numberFlag(flags.seconds, 10, "seconds");
const DATABASES = String(flags.databases ?? "pglite,postgres")
  .split(",")
  .map((name) => name.trim())
  .filter((name): name is Database => name === "pglite" || name === "postgres");
/** A folder for V8 CPU profiles of the server (written when it stops), if given. */
const CPU_PROF_DIR = typeof flags["cpu-prof"] === "string" ? path.resolve(flags["cpu-prof"]) : null;
/** Streams being opened at once (each until its first snapshot): watchers arrive in a crowd, not all in one instant. */
const OPEN_CONCURRENCY = numberFlag(flags["open-concurrency"], 100, "open-concurrency");
const PROBE_INTERVAL_MS = 25;
/** Caps raised so that one client may hold every watcher's stream (defaults: 20 and 2,000). */
const SSE_MAX_PER_CLIENT = Math.max(20, WATCHERS);
const SSE_MAX_STREAMS = Math.max(2000, WATCHERS);
const PROBE_MODULE = path.join(import.meta.dirname, "support/server-probe.mjs");
const WATCHER_CLIENT = path.join(import.meta.dirname, "support/sse-watchers.ts");

type Database = "pglite" | "postgres";
const LABEL: Record<Database, string> = { pglite: "PGlite (embedded default)", postgres: "PostgreSQL" };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const clock = () => performance.timeOrigin + performance.now();

interface ProbeStats {
  pid: number;
  statements: { pglite: number; pg: number };
  rssBytes: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number; mean: number };
}

/** The figures the server probe (loaded into the server process) keeps; `reset` restarts its event-loop figures. */
async function probe(port: number, reset = false): Promise<ProbeStats> {
  const response = await fetch(`http://127.0.0.1:${port}/${reset ? "reset" : "stats"}`, { method: reset ? "POST" : "GET" });
  return (await response.json()) as ProbeStats;
}

/** The server process's resident memory, from /proc (MB = 2^20 bytes). */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return round(kb / 1024, 1);
}

/**
 * GET /api/health/live every PROBE_INTERVAL_MS on a schedule (not after the previous
 * answer, so a slow answer does not hide the ones it delays), until stopped; returns
 * every request's time from sending to the end of its answer.
 */
function startLivenessProbes(baseUrl: string): { stop(): Promise<{ latencies: number[]; failed: number }> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  const shoot = () => {
    const sent = performance.now();
    const done = new Promise<void>((resolve) => {
      const request = http.get(`${baseUrl}/api/health/live`, { agent }, (response) => {
        response.resume();
        response.on("end", () => {
          if (response.statusCode === 200) latencies.push(performance.now() - sent);
          else failed += 1;
          resolve();
        });
      });
      request.on("error", () => {
        failed += 1;
        resolve();
      });
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  shoot();
  const timer = setInterval(shoot, PROBE_INTERVAL_MS);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      agent.destroy();
      return { latencies, failed };
    },
  };
}

/** The watcher client process; `ask` sends a message and resolves with its answer. */
function startWatcherClient() {
  const child: ChildProcess = fork(WATCHER_CLIENT, [], { execArgv: process.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ask = <T>(message: Record<string, unknown>, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (reply: { type: string }) => {
        if (reply.type !== answer) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(reply as T);
      };
      const onExit = (code: number | null) => reject(new Error(`the watcher client exited (${code})`));
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.send(message);
    });
  return {
    ask,
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.send({ type: "close" });
      await Promise.race([exited, sleep(5000).then(() => child.kill("SIGKILL"))]);
    },
  };
}

/** Statements PostgreSQL ran in the app's database, as pg_stat_statements counts them. */
async function postgresStatements(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ calls: string }>(
    `select coalesce(sum(calls), 0)::text as calls from pg_stat_statements
      where dbid = (select oid from pg_database where datname = $1)`,
    [TEST_DATABASE_NAME],
  );
  return Number(rows[0]?.calls ?? 0);
}

const latencyFigures = ({ latencies, failed }: { latencies: number[]; failed: number }) => ({
  requests: latencies.length,
  failed,
  p50Ms: round(percentile(latencies, 50), 1),
  p95Ms: round(percentile(latencies, 95), 1),
  p99Ms: round(percentile(latencies, 99), 1),
  maxMs: round(Math.max(...latencies), 1),
});

type Latency = ReturnType<typeof latencyFigures>;

interface DatabaseRun {
  database: Database;
  watchers: number;
  open: number;
  refused: Record<string, number>;
  openAllMs: number;
  rssMb: { beforeWatchers: number; watchingMax: number; watchingEnd: number; afterBroadcast: number };
  liveness: { noWatchers: Latency; watching: Latency; broadcast: Latency };
  serverEventLoopDelayMs: { watching: ProbeStats["eventLoopDelayMs"]; broadcast: ProbeStats["eventLoopDelayMs"] };
  statements: {
    countedBy: string;
    quietNoWatchers: number;
    quietWatching: number;
    perWatcherSecond: number;
    openingPerStream: number;
    broadcastPerWatcher: number;
    /** PostgreSQL only: the pg driver's own count in the server, beside the database's. */
    appSideQuietWatching?: number;
  };
  change: { reachedAll: number; missing: number; p50Ms: number; maxMs: number; firstMs: number };
  eventsWhileQuiet: Record<string, number>;
}

async function runDatabase(database: Database): Promise<DatabaseRun> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
  };
  const forget = onInterrupt(cleanUp);
  let server: AppServer | null = null;
  try {
    const fake = await startFakeOpenAIServer({ reply: () => ({ kind: "hang" }) });
    cleanups.push(() => fake.close());
    const env: Record<string, string> = {
      JOB_RUNNER: "local",
      OPENAI_API_KEY: "bench-key",
      OPENAI_BASE_URL: fake.url,
      LLM_MODEL: "fake-model",
      LLM_TIMEOUT_MS: "600000",
      SSE_MAX_PER_CLIENT: String(SSE_MAX_PER_CLIENT),
      SSE_MAX_STREAMS: String(SSE_MAX_STREAMS),
      NEXT_TELEMETRY_DISABLED: "1",
    };
    let postgres: TemporaryPostgres | null = null;
    let admin: pg.Client | null = null;
    if (database === "postgres") {
      postgres = await startTemporaryPostgres({ settings: { shared_preload_libraries: "pg_stat_statements" } });
      const stopPostgres = postgres.stop;
      cleanups.push(() => stopPostgres());
      await migratePostgres(postgres.url);
      // Measured from the `postgres` database, so these reads are not counted.
      admin = new pg.Client({ host: "127.0.0.1", port: postgres.port, user: "postgres", database: "postgres" });
      await admin.connect();
      const adminClient = admin;
      cleanups.push(() => adminClient.end());
      await admin.query("create extension if not exists pg_stat_statements");
      env.DATABASE_URL = postgres.url;
    } else {
      const folder = await mkdtemp(path.join(os.tmpdir(), "itinera-bench-watchers-"));
      cleanups.push(() => rm(folder, { recursive: true, force: true }));
      env.PGLITE_DIR = path.join(folder, "pglite");
    }
    const probePort = await freePort();
    env.BENCH_PROBE_PORT = String(probePort);
    env.NODE_OPTIONS = [`--import=${PROBE_MODULE}`, ...(CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF_DIR}`] : [])].join(" ");
    const started = await startAppServer({ port: await freePort(), readyTimeoutMs: 120_000, env });
    server = started;
    cleanups.push(() => started.stop(15_000));
    const base = server.url;
    const statements = async () => (admin ? postgresStatements(admin) : (await probe(probePort)).statements.pglite);

    // A job that stays processing: its outline's model call never answers.
    const submitted = await fetch(`${base}/api/itineraries`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ destination: "Watched City", durationDays: 3 }),
    });
    if (submitted.status !== 202) throw new Error(`submitting answered ${submitted.status}: ${await submitted.text()}`);
    const { jobId } = (await submitted.json()) as { jobId: string };
    for (const deadline = Date.now() + 30_000; fake.calls.length === 0; await sleep(50)) {
      if (Date.now() > deadline) throw new Error("the job never called the model");
    }
    // Load every route the run uses (Next loads a route's code on its first request).
    const warm = new AbortController();
    const warmStream = await fetch(`${base}/api/itineraries/${jobId}/events`, { signal: warm.signal });
    await warmStream.body?.getReader().read();
    warm.abort();
    await fetch(`${base}/api/itineraries/00000000-0000-4000-8000-000000000000/cancel`, { method: "POST" });
    for (let index = 0; index < 20; index += 1) await fetch(`${base}/api/health/live`).then((response) => response.arrayBuffer());
    await sleep(1000);

    // With no watcher: the liveness floor, the statements the server makes by itself.
    const rssBefore = await rssMb(server.pid);
    const beforeQuiet = await statements();
    const noWatchersProbe = startLivenessProbes(base);
    await sleep(SECONDS * 1000);
    const noWatchers = await noWatchersProbe.stop();
    const quietNoWatchers = (await statements()) - beforeQuiet;

    // N watchers connect, from one client (the bench raised SSE_MAX_PER_CLIENT for that).
    const client = startWatcherClient();
    cleanups.push(() => client.close());
    const beforeOpening = await statements();
    const opened = await client.ask<{ ms: number; open: number; refused: Record<string, number> }>(
      { type: "open", url: `${base}/api/itineraries/${jobId}/events`, count: WATCHERS, concurrency: OPEN_CONCURRENCY },
      "opened",
    );
    const openingStatements = (await statements()) - beforeOpening;
    await sleep(1000);

    // Quiet: nothing changes for SECONDS.
    const eventsBefore = await client.ask<{ events: Record<string, number> }>({ type: "counts" }, "counts");
    const beforeWatching = await statements();
    const appSideBefore = (await probe(probePort, true)).statements.pg; // and the event-loop figures start again
    const watchingProbe = startLivenessProbes(base);
    const rssWhileWatching: number[] = [];
    for (let second = 0; second < SECONDS; second += 1) {
      await sleep(1000);
      rssWhileWatching.push(await rssMb(server.pid));
    }
    const watching = await watchingProbe.stop();
    const quietWatching = (await statements()) - beforeWatching;
    const watchingProbeStats = await probe(probePort);
    const appSideQuietWatching = watchingProbeStats.statements.pg - appSideBefore;
    const eventsAfter = await client.ask<{ events: Record<string, number> }>({ type: "counts" }, "counts");
    const eventsWhileQuiet = Object.fromEntries(
      Object.entries(eventsAfter.events)
        .map(([name, count]) => [name, count - (eventsBefore.events[name] ?? 0)] as const)
        .filter(([, count]) => count > 0),
    );

    // The change: a cancel through the API; every watcher should get a snapshot saying so.
    await probe(probePort, true); // the event-loop figures start again
    const beforeBroadcast = await statements();
    const broadcastProbe = startLivenessProbes(base);
    await sleep(200);
    const changedAt = clock();
    const cancel = await fetch(`${base}/api/itineraries/${jobId}/cancel`, { method: "POST" });
    if (cancel.status !== 202) throw new Error(`cancelling answered ${cancel.status}: ${await cancel.text()}`);
    const reached = await client.ask<{ atMs: number[]; missing: number }>({ type: "await", status: "cancelled", timeoutMs: 60_000 }, "reached");
    await sleep(200);
    const broadcast = await broadcastProbe.stop();
    const broadcastStatements = (await statements()) - beforeBroadcast;
    const broadcastProbeStats = await probe(probePort);
    const rssAfter = await rssMb(server.pid);
    const delays = reached.atMs.map((at) => at - changedAt);

    await client.close();
    return {
      database,
      watchers: WATCHERS,
      open: opened.open,
      refused: opened.refused,
      openAllMs: round(opened.ms, 0),
      rssMb: {
        beforeWatchers: rssBefore,
        watchingMax: Math.max(...rssWhileWatching),
        watchingEnd: rssWhileWatching.at(-1) ?? Number.NaN,
        afterBroadcast: rssAfter,
      },
      liveness: { noWatchers: latencyFigures(noWatchers), watching: latencyFigures(watching), broadcast: latencyFigures(broadcast) },
      serverEventLoopDelayMs: { watching: watchingProbeStats.eventLoopDelayMs, broadcast: broadcastProbeStats.eventLoopDelayMs },
      statements: {
        countedBy:
          database === "postgres"
            ? "pg_stat_statements in the database (every statement of the app's database, BEGIN/COMMIT included)"
            : "PGlite query()/exec() calls (transactions: their statements plus BEGIN and COMMIT) counted inside the server process",
        quietNoWatchers,
        quietWatching,
        perWatcherSecond: quietWatching / (opened.open * SECONDS),
        openingPerStream: round(openingStatements / Math.max(1, opened.open), 2),
        broadcastPerWatcher: round(broadcastStatements / Math.max(1, opened.open), 2),
        ...(database === "postgres" ? { appSideQuietWatching } : {}),
      },
      change: {
        reachedAll: reached.atMs.length,
        missing: reached.missing,
        firstMs: round(Math.min(...delays), 0),
        p50Ms: round(percentile(delays, 50), 0),
        maxMs: round(Math.max(...delays), 0),
      },
      eventsWhileQuiet,
    };
  } catch (error) {
    if (server) console.error(server.output().slice(-4000));
    throw error;
  } finally {
    await cleanUp();
    forget();
  }
}

async function main() {
  const started = performance.now();
  const build = await ensureBuild({ reuse: Boolean(flags["reuse-build"]) });
  const runs: DatabaseRun[] = [];
  for (const database of DATABASES) runs.push(await runDatabase(database));

  const cell = (pick: (run: DatabaseRun) => Cell) => runs.map(pick);
  const lat = (figures: Latency) => `${figures.p50Ms} / ${figures.p95Ms} / ${figures.p99Ms} (${figures.requests})`;
  const rows: Cell[][] = [
    ["figure", ...runs.map((run) => LABEL[run.database]), "measured by"],
    ["streams open (refused: status × n)", ...cell((run) => `${run.open} (${Object.entries(run.refused).map(([status, count]) => `${status} × ${count}`).join(", ") || "none"})`), "watcher client, over HTTP"],
    ["time to open them all (ms)", ...cell((run) => run.openAllMs), `watcher client: ${OPEN_CONCURRENCY} at a time, each until its first snapshot`],
    ["server RSS before watchers (MB)", ...cell((run) => run.rssMb.beforeWatchers), "/proc/<next start pid>/status"],
    ["server RSS while watching, max (MB)", ...cell((run) => run.rssMb.watchingMax), "/proc, once a second"],
    ["liveness, no watcher: p50 / p95 / p99 ms (n)", ...cell((run) => lat(run.liveness.noWatchers)), `GET /api/health/live every ${PROBE_INTERVAL_MS} ms, HTTP`],
    [`liveness, ${WATCHERS} watching: p50 / p95 / p99 ms (n)`, ...cell((run) => lat(run.liveness.watching)), "same, while the watchers are quiet"],
    ["liveness, during the broadcast: p50 / p95 / p99 ms (n)", ...cell((run) => lat(run.liveness.broadcast)), "same, from 200 ms before the cancel to 200 ms after the last watcher"],
    ["server event-loop delay while quiet: p99 / max (ms)", ...cell((run) => `${run.serverEventLoopDelayMs.watching.p99} / ${run.serverEventLoopDelayMs.watching.max}`), "monitorEventLoopDelay in the server: lag past its 10 ms samples"],
    ["server event-loop delay in the broadcast: p99 / max (ms)", ...cell((run) => `${run.serverEventLoopDelayMs.broadcast.p99} / ${run.serverEventLoopDelayMs.broadcast.max}`), "same"],
    [`statements in ${SECONDS} s, no watcher`, ...cell((run) => run.statements.quietNoWatchers), "PGlite: calls in the server; PostgreSQL: pg_stat_statements"],
    [`statements in ${SECONDS} s, ${WATCHERS} watching`, ...cell((run) => run.statements.quietWatching), "same"],
    ["statements per watcher-second", ...cell((run) => run.statements.perWatcherSecond.toFixed(4)), "the line above ÷ (watchers × seconds)"],
    ["statements per stream opened", ...cell((run) => run.statements.openingPerStream), "same counters, while the streams opened"],
    ["statements per watcher for the change", ...cell((run) => run.statements.broadcastPerWatcher), "same counters, cancel included"],
    ["change reached every watcher: p50 / max (ms)", ...cell((run) => `${run.change.p50Ms} / ${run.change.maxMs}`), "from sending the cancel to each stream's snapshot"],
    ["watchers that missed the change", ...cell((run) => run.change.missing), "after 60 s"],
  ];
  printTable(
    `Watchers — ${WATCHERS} event streams over HTTP to next start (one connection each, one client: SSE_MAX_PER_CLIENT=${SSE_MAX_PER_CLIENT}, SSE_MAX_STREAMS=${SSE_MAX_STREAMS}), ${SECONDS} s quiet; local runner, model never answers; change = POST …/cancel\n${machineLine()}`,
    rows,
  );
  const targets: Target[] = runs.flatMap((run) => [
    { name: `${LABEL[run.database]}: liveness p99 with ${run.watchers} watchers`, value: run.liveness.watching.p99Ms, op: "≤" as const, limit: 100, unit: " ms" },
    { name: `${LABEL[run.database]}: statements per idle watcher-second`, value: run.statements.perWatcherSecond, op: "≤" as const, limit: 0.001 },
  ]);
  printTable("Targets", targetRows(targets));
  printJsonLine(
    "watchers",
    {
      watchers: WATCHERS,
      seconds: SECONDS,
      probeIntervalMs: PROBE_INTERVAL_MS,
      openConcurrency: OPEN_CONCURRENCY,
      sseMaxPerClient: SSE_MAX_PER_CLIENT,
      sseMaxStreams: SSE_MAX_STREAMS,
      buildS: build.built ? seconds(build.ms) : null,
      runs,
      elapsedS: seconds(performance.now() - started),
      machine: describeMachine(),
    },
    targets,
  );
}

runMain(main);
