import { like, sql } from "drizzle-orm";
import { numberFlag, readFlags, runMain } from "./support/cli";
import { startInProcessApp, type AppModules } from "./support/in-process-app";
import { describeMachine, machineLine } from "./support/machine";
import { printJsonLine, printTable, round, seconds, targetRows, type Target } from "./support/report";
import { seeded } from "../tests/helpers/seeded-random";
import { median, percentile } from "./support/stats";
import { promptStepId } from "@/lib/llm/prompts";

// Bench 4 — a burst: many jobs submitted at the same moment on the local runner with a
// fast model. How long until every one has ended, how many model calls were in flight at
// most (never more than LLM_CONCURRENCY), and whether every accepted job completed with
// exactly one call per outline and per day.

const flags = readFlags({ jobs: { type: "string" }, seed: { type: "string" } });
const JOBS = numberFlag(flags.jobs, 1000, "jobs");
const SEED = numberFlag(flags.seed, 20_261_123, "seed");
const FAST_MODEL = { timeToFirstTokenMs: 5, tokensPerSecond: Infinity };
const TERMINAL_TIMEOUT_MS = 10 * 60_000;
const PREFIX = "Burst City";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function statusCounts(app: AppModules): Promise<Record<string, number>> {
  const { itineraries } = app.schema;
  const rows = await (await app.db.getDb())
    .select({ status: itineraries.status, count: sql<number>`count(*)::int` })
    .from(itineraries)
    .where(like(itineraries.destination, `${PREFIX} %`))
    .groupBy(itineraries.status);
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

/** Submit-to-completed times, from the rows' own timestamps. */
async function completionTimes(app: AppModules): Promise<number[]> {
  const { itineraries } = app.schema;
  const rows = await (await app.db.getDb())
    .select({ createdAt: itineraries.createdAt, completedAt: itineraries.completedAt })
    .from(itineraries)
    .where(like(itineraries.destination, `${PREFIX} %`));
  return rows.flatMap((row) => (row.completedAt ? [row.completedAt.getTime() - row.createdAt.getTime()] : []));
}

async function main() {
  const started = performance.now();
  const { app, fake, llmConcurrency, close } = await startInProcessApp({ simulatedModel: FAST_MODEL });
  try {
    for (let index = 0; index < 5; index += 1) await app.service.submitItinerary({ destination: `Warm-up ${index}`, durationDays: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    await app.runner.localRunner().drain();
    fake.reset();

    const random = seeded(SEED);
    const requests = Array.from({ length: JOBS }, (_, index) => ({
      destination: `${PREFIX} ${index + 1}`,
      durationDays: 1 + Math.floor(random() * 3),
      interests: ["food"],
    }));
    const burstStarted = performance.now();
    const results = await Promise.allSettled(requests.map((request) => app.service.submitItinerary(request)));
    const submitMs = performance.now() - burstStarted;
    const accepted = results.filter((result) => result.status === "fulfilled").length;

    let counts: Record<string, number> = {};
    const deadline = Date.now() + TERMINAL_TIMEOUT_MS;
    for (;;) {
      await app.runner.localRunner().drain();
      counts = await statusCounts(app);
      if (!counts.processing || Date.now() > deadline) break;
      await sleep(20);
    }
    const terminalMs = performance.now() - burstStarted;

    // The outline, its details and each day: one call each.
    const expectedCalls = requests.reduce((sum, request) => sum + 2 + request.durationDays, 0);
    const perTask = new Map<string, number>();
    for (const call of fake.calls) {
      const key = call.task ? `${call.task.trip.destination}|${promptStepId(call.task)}` : "?";
      perTask.set(key, (perTask.get(key) ?? 0) + 1);
    }
    const repeatedCalls = [...perTask.values()].reduce((sum, count) => sum + count - 1, 0);
    const completed = counts.completed ?? 0;
    const lost = accepted - completed;
    const latencies = await completionTimes(app);
    const figures = {
      jobs: JOBS,
      accepted,
      refused: JOBS - accepted,
      statuses: counts,
      lost,
      submitMs: round(submitMs),
      allTerminalMs: round(terminalMs),
      jobsPerSecond: round(completed / (terminalMs / 1000), 1),
      modelCalls: fake.calls.length,
      expectedModelCalls: expectedCalls,
      repeatedCalls,
      peakInFlightAtModel: fake.peakInFlight,
      peakRunningInLimiter: app.generate.llmLimiter().peakRunning,
      llmConcurrency,
      completionMs: {
        first: round(Math.min(...latencies)),
        median: round(median(latencies)),
        p99: round(percentile(latencies, 99)),
        last: round(Math.max(...latencies)),
      },
    };
    printTable(
      `Burst — ${JOBS} jobs submitted at once (1–3 days each, ${expectedCalls} model calls); model ${FAST_MODEL.timeToFirstTokenMs} ms per call; LLM_CONCURRENCY ${llmConcurrency}\n${machineLine()}`,
      [
        ["figure", "value"],
        ["submitted / accepted", `${JOBS} / ${accepted}`],
        ["time to accept all (s)", seconds(submitMs)],
        ["time until all terminal (s)", seconds(terminalMs)],
        ["completed jobs per second", figures.jobsPerSecond],
        ["statuses", JSON.stringify(counts)],
        ["lost (accepted, not completed)", lost],
        ["model calls / expected (repeats)", `${fake.calls.length} / ${expectedCalls} (${repeatedCalls})`],
        ["peak calls in flight at the model / cap", `${fake.peakInFlight} / ${llmConcurrency}`],
        ["submit → completed, first / median / p99 / last (s)", [figures.completionMs.first, figures.completionMs.median, figures.completionMs.p99, figures.completionMs.last].map((ms) => seconds(ms)).join(" / ")],
      ],
    );
    const targets: Target[] = [
      { name: "jobs lost", value: lost, op: "≤", limit: 0 },
      { name: "peak LLM calls in flight", value: fake.peakInFlight, op: "≤", limit: llmConcurrency },
      { name: "repeated model calls", value: repeatedCalls, op: "≤", limit: 0 },
    ];
    printTable("Targets", targetRows(targets));
    printJsonLine("burst", { ...figures, elapsedS: seconds(performance.now() - started), machine: describeMachine() }, targets);
    if (lost > 0 || fake.peakInFlight > llmConcurrency || repeatedCalls > 0) {
      throw new Error("the burst lost jobs, broke the LLM cap or repeated calls");
    }
  } finally {
    await close();
  }
}

runMain(main);
