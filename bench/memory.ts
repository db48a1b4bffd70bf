import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { numberFlag, onInterrupt, readFlags, runMain } from "./support/cli";
import { describeMachine, machineLine } from "./support/machine";
import { hasBuild } from "./support/next-build";
import { findProcess, treeMemory, type TreeMemory } from "./support/process-memory";
import { printJsonLine, printTable, round, seconds, targetRows, type Target } from "./support/report";
import { freePort, startAppServer } from "../tests/e2e/helpers/app-server";

// Resident memory of `npm start` on the embedded default: the production build served by
// `next start` with no DATABASE_URL (PGlite in a fresh temporary folder), the local runner
// and the offline demo model, as a fresh clone runs. It reads VmRSS of the server and every
// process it started at each moment: listening, database open, after a request that reads
// the database, after a few trips were planned to the end, and after a quiet spell.
// It builds nothing: run `npm run build` first.

const flags = readFlags({
  trips: { type: "string" },
  "idle-seconds": { type: "string" },
  "node-options": { type: "string" },
});
const TRIPS = numberFlag(flags.trips, 3, "trips");
const IDLE_S = numberFlag(flags["idle-seconds"], 10, "idle-seconds");
/** Extra NODE_OPTIONS for the server (to try V8 flags), none by default. */
const NODE_OPTIONS = typeof flags["node-options"] === "string" ? flags["node-options"] : "";
const IDLE_TARGET_MIB = 350;
const TRIP_DAYS = [3, 5, 7];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Moment extends TreeMemory {
  moment: string;
  atS: number;
}

/** Plans a demo trip through the API and waits until it is completed; returns its id. */
async function planTrip(baseUrl: string, durationDays: number): Promise<string> {
  const response = await fetch(`${baseUrl}/api/itineraries`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ destination: "Lisbon, Portugal", durationDays, interests: ["food", "history"] }),
  });
  if (response.status !== 202) throw new Error(`POST /api/itineraries answered ${response.status}: ${await response.text()}`);
  const { jobId } = (await response.json()) as { jobId: string };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = (await (await fetch(`${baseUrl}/api/itineraries/${jobId}`)).json()) as { status: string };
    if (job.status === "completed") return jobId;
    if (job.status !== "processing") throw new Error(`trip ${jobId} ended ${job.status}: ${JSON.stringify(job)}`);
    if (Date.now() > deadline) throw new Error(`trip ${jobId} was not completed within 120 s`);
    await sleep(200);
  }
}

async function expectOk(url: string): Promise<void> {
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
}

async function main() {
  if (process.platform !== "linux") throw new Error("bench:memory reads /proc: it runs on Linux only.");
  if (!hasBuild()) {
    console.error("No production build in .next: run `npm run build` first (bench:memory measures `next start` and builds nothing).");
    process.exit(1);
  }
  const started = performance.now();
  const folder = await mkdtemp(path.join(os.tmpdir(), "itinera-bench-memory-"));
  const forgetFolder = onInterrupt(() => rm(folder, { recursive: true, force: true }));
  const port = await freePort();
  const moments: Moment[] = [];
  let pid: number | null = null;
  const record = (moment: string) => {
    if (pid === null) throw new Error("the server's process is not known yet");
    moments.push({ moment, atS: seconds(performance.now() - started), ...treeMemory(pid) });
  };

  // While next start boots: its first answer, before anything asked for the database
  // (the local runner opens it at start-up, so this may race it).
  let booting = true;
  const listening = (async () => {
    while (booting) {
      pid ??= findProcess(["start", "-p", String(port)]);
      if (pid !== null) {
        const answer = await fetch(`http://127.0.0.1:${port}/api/health/live`).catch(() => null);
        if (answer?.status === 200) return record("listening (first answer of /api/health/live)");
      }
      await sleep(25);
    }
  })();
  const server = await startAppServer({
    port,
    readyTimeoutMs: 120_000,
    env: {
      PGLITE_DIR: path.join(folder, "pglite"),
      // The embedded default: no DATABASE_URL, no Inngest, no OpenAI key (the demo model).
      DEMO_MODEL_LATENCY_MS: "200",
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
      ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}),
    },
  }).catch(async (error: unknown) => {
    booting = false;
    await rm(folder, { recursive: true, force: true });
    throw error;
  });
  booting = false;
  await listening;
  pid = server.pid;
  const forgetServer = onInterrupt(() => server.kill());
  try {
    record("database open (/api/health answered 200)");
    await expectOk(`${server.url}/api/itineraries`);
    record("after GET /api/itineraries");
    const ids = await Promise.all(Array.from({ length: TRIPS }, (_, index) => planTrip(server.url, TRIP_DAYS[index % TRIP_DAYS.length]!)));
    for (const id of ids) await expectOk(`${server.url}/itineraries/${id}`);
    record(`after ${TRIPS} demo trips planned and their pages read`);
    await sleep(IDLE_S * 1000);
    record(`idle ${IDLE_S} s later`);
  } catch (error) {
    console.error(server.output().slice(-4000));
    throw error;
  } finally {
    await server.stop();
    await rm(folder, { recursive: true, force: true });
    forgetServer();
    forgetFolder();
  }

  const idle = moments.at(-1)!;
  const first = moments[0]!;
  printTable(
    `Resident memory of next start on the embedded default (PGlite, fresh folder; MiB = 2^20 bytes)${NODE_OPTIONS ? `, NODE_OPTIONS=${NODE_OPTIONS}` : ""}\n${machineLine()}`,
    [
      ["moment", "at (s)", "RSS (MiB)", "+ since listening", "peak so far (MiB)", "processes"],
      ...moments.map((moment) => [
        moment.moment,
        moment.atS,
        round(moment.rssMiB),
        round(moment.rssMiB - first.rssMiB),
        round(moment.peakMiB),
        moment.processes,
      ]),
    ],
  );
  const targets: Target[] = [{ name: "idle RSS after trips", value: idle.rssMiB, op: "≤", limit: IDLE_TARGET_MIB, unit: " MiB" }];
  printTable("Targets", targetRows(targets));
  printJsonLine(
    "memory",
    {
      trips: TRIPS,
      idleS: IDLE_S,
      nodeOptions: NODE_OPTIONS || null,
      moments: moments.map((moment) => ({ ...moment, rssMiB: round(moment.rssMiB), peakMiB: round(moment.peakMiB) })),
      elapsedS: seconds(performance.now() - started),
      machine: describeMachine(),
    },
    targets,
  );
}

runMain(main);
