import { numberFlag, readFlags, runMain } from "./support/cli";
import { startInProcessApp, type InProcessApp } from "./support/in-process-app";
import { describeMachine, machineLine } from "./support/machine";
import { printJsonLine, printTable, round, targetRows, type Target } from "./support/report";
import { mean, median, percentile, unionMs } from "./support/stats";

// Bench 2 — what the machinery around the model costs. The simulated model answers at
// once (no time to first token, no time per token), so a job's wall time is all ours: HTTP
// to the model server and its JSON, structured-output validation, the runner's memoized
// steps, the database writes. Per job: wall time minus the simulated model's time (zero),
// at 1 job at a time and at 50 at once (there: wall time of the batch ÷ jobs). The time the
// model server spent on its calls is shown beside it but not subtracted: it shares this
// process, so under load its clock also runs while our own work holds the event loop.

const flags = readFlags({ jobs: { type: "string" }, days: { type: "string" }, serial: { type: "string" } });
const CONCURRENT_JOBS = numberFlag(flags.jobs, 50, "jobs");
const SERIAL_RUNS = numberFlag(flags.serial, 15, "serial");
const DAYS = numberFlag(flags.days, 3, "days");
const WARM_UP_JOBS = 20;

interface Batch {
  wallMs: number;
  /** Time with at least one model call open at the server (for information). */
  modelServerMs: number;
  /** What the simulated model itself took: zero for an instant model. */
  modelMs: number;
  jobs: number;
  latencies: number[];
}

/** Submits `count` jobs at once and waits for the runner to finish them all. */
async function runBatch({ app, fake }: InProcessApp, count: number, label: string): Promise<Batch> {
  fake.reset();
  const started = performance.now();
  const startedAt = Date.now();
  const submitted = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      app.service.submitItinerary({ destination: `${label} ${index + 1}`, durationDays: DAYS }),
    ),
  );
  // The runner starts each job once the submit has returned (as after() does after a response).
  await new Promise((resolve) => setImmediate(resolve));
  await app.runner.localRunner().drain();
  const wallMs = performance.now() - started;

  const latencies: number[] = [];
  for (const { job } of submitted) {
    const row = await app.queries.findItineraryById({ id: job.id });
    if (row?.status !== "completed" || !row.completedAt) throw new Error(`job ${job.id} ended ${row?.status}`);
    latencies.push(row.completedAt.getTime() - startedAt);
  }
  if (fake.calls.length !== count * (DAYS + 1)) throw new Error(`expected ${count * (DAYS + 1)} model calls, saw ${fake.calls.length}`);
  const modelServerMs = unionMs(fake.calls.map((call) => [call.startedAt, call.finishedAt ?? call.startedAt]));
  const modelMs = fake.calls.reduce((sum, call) => sum + (call.simulatedMs ?? 0), 0);
  return { wallMs, modelServerMs, modelMs, jobs: count, latencies };
}

const overheadPerJob = (batch: Batch) => (batch.wallMs - batch.modelMs) / batch.jobs;

async function main() {
  const started = performance.now();
  const instance = await startInProcessApp({ simulatedModel: { timeToFirstTokenMs: 0, tokensPerSecond: Infinity } });
  try {
    await runBatch(instance, WARM_UP_JOBS, "Warm-up");
    const serial: Batch[] = [];
    for (let run = 0; run < SERIAL_RUNS; run += 1) serial.push(await runBatch(instance, 1, `Serial ${run}`));
    const concurrent = await runBatch(instance, CONCURRENT_JOBS, "Concurrent");

    const serialOverheads = serial.map(overheadPerJob);
    const figures = {
      daysPerJob: DAYS,
      llmConcurrency: instance.llmConcurrency,
      oneAtATime: {
        runs: SERIAL_RUNS,
        overheadMsMedian: round(median(serialOverheads)),
        overheadMsP90: round(percentile(serialOverheads, 90)),
        wallMsMedian: round(median(serial.map((batch) => batch.wallMs))),
        modelServerMsMedian: round(median(serial.map((batch) => batch.modelServerMs))),
      },
      concurrent: {
        jobs: CONCURRENT_JOBS,
        wallMs: round(concurrent.wallMs),
        modelServerMs: round(concurrent.modelServerMs),
        overheadMsPerJob: round(overheadPerJob(concurrent)),
        jobLatencyMsMedian: round(median(concurrent.latencies)),
        jobLatencyMsMax: round(Math.max(...concurrent.latencies)),
      },
    };
    printTable(
      `Orchestration overhead — model answers at once; ${DAYS}-day jobs (${DAYS + 1} model calls, ${DAYS + 3} steps each); LLM_CONCURRENCY ${instance.llmConcurrency}\n${machineLine()}`,
      [
        ["jobs at once", "wall (ms)", "model server busy (ms)", "overhead per job (ms)", "notes"],
        [1, figures.oneAtATime.wallMsMedian, figures.oneAtATime.modelServerMsMedian, figures.oneAtATime.overheadMsMedian, `median of ${SERIAL_RUNS} runs (p90 ${figures.oneAtATime.overheadMsP90} ms)`],
        [CONCURRENT_JOBS, figures.concurrent.wallMs, figures.concurrent.modelServerMs, figures.concurrent.overheadMsPerJob, `wall ÷ ${CONCURRENT_JOBS}; job latency median ${figures.concurrent.jobLatencyMsMedian} ms`],
      ],
    );
    const targets: Target[] = [
      { name: "overhead per job, 1 at a time", value: figures.oneAtATime.overheadMsMedian, op: "≤", limit: 50, unit: " ms" },
      { name: `overhead per job, ${CONCURRENT_JOBS} at once`, value: figures.concurrent.overheadMsPerJob, op: "≤", limit: 50, unit: " ms" },
    ];
    printTable("Targets", targetRows(targets));
    printJsonLine("overhead", { ...figures, mean: round(mean(serialOverheads)), elapsedS: round((performance.now() - started) / 1000, 1), machine: describeMachine() }, targets);
  } finally {
    await instance.close();
  }
}

runMain(main);
