import { generateWholeTrip } from "./baseline";
import { listFlag, readModelFlags, runMain } from "./support/cli";
import { runJob, startInProcessApp, type JobTimes } from "./support/in-process-app";
import { describeMachine, machineLine } from "./support/machine";
import { printJsonLine, printTable, round, seconds, targetRows, type Target } from "./support/report";
import type { FakeOpenAICall } from "../tests/fixtures/fake-openai-server";

// Bench 1 — Itinera's pipeline (outline, then every day in parallel, through the local
// runner) against the one-call baseline, on the same simulated model, in one run: the
// baselines for every trip length start together and run while the pipeline jobs run one
// after another, so both see the same machine at the same time.

const { flags, model, llmConcurrency } = readModelFlags();
const tripLengths = listFlag(flags.days, [1, 3, 7, 14], "days");

const trip = (durationDays: number) => ({
  destination: `Bench City ${durationDays}`,
  durationDays,
  startDate: null,
  interests: ["food"],
  pace: "balanced" as const,
  budget: "moderate" as const,
  travellers: 2,
});

interface BaselineTimes {
  ms: number;
  outputTokens: number;
}

async function timeBaseline(days: number): Promise<BaselineTimes> {
  const started = performance.now();
  const { usage } = await generateWholeTrip(trip(days));
  return { ms: performance.now() - started, outputTokens: usage.outputTokens };
}

/**
 * The least a pipeline run can take on this model, whatever the machinery: its outline,
 * then its slowest day (every day at once). Its first day cannot land sooner either.
 */
function modelFloorMs(calls: FakeOpenAICall[], destination: string): number {
  const mine = calls.filter((call) => call.task?.trip.destination === destination);
  const outline = mine.find((call) => call.task?.task === "outline")?.simulatedMs ?? 0;
  const days = mine.filter((call) => call.task?.task === "day").map((call) => call.simulatedMs ?? 0);
  return outline + Math.max(0, ...days);
}

const outputTokensOf = (calls: FakeOpenAICall[], destination: string) =>
  calls
    .filter((call) => call.task?.trip.destination === destination)
    .reduce((sum, call) => sum + (call.outputTokens ?? 0), 0);

async function main() {
  const started = performance.now();
  const { app, fake, llmConcurrency: cap, close } = await startInProcessApp({ llmConcurrency });
  try {
    // Warm-up with an instant model: module loading, JIT, the first queries and sockets.
    await runJob(app, { destination: "Warm-up", durationDays: 2 });
    await generateWholeTrip(trip(2));
    fake.reset();
    fake.setSimulatedModel(model);

    const baselines = tripLengths.map((days) => timeBaseline(days));
    const pipelines: JobTimes[] = [];
    for (const days of tripLengths) pipelines.push(await runJob(app, trip(days)));
    const baselineTimes = await Promise.all(baselines);

    const rows = tripLengths.map((days, index) => {
      const pipeline = pipelines[index]!;
      const baseline = baselineTimes[index]!;
      if (pipeline.status !== "completed") throw new Error(`the ${days}-day job ended ${pipeline.status}`);
      const destination = trip(days).destination;
      return {
        days,
        baselineMs: round(baseline.ms),
        pipelineFirstDayMs: round(pipeline.firstDayMs ?? Number.NaN),
        pipelineCompleteMs: round(pipeline.endMs),
        completeRatio: round(pipeline.endMs / baseline.ms, 3),
        firstDayRatio: round((pipeline.firstDayMs ?? Number.NaN) / baseline.ms, 3),
        pipelineModelFloorMs: round(modelFloorMs(fake.calls, destination)),
        floorRatio: round(modelFloorMs(fake.calls, destination) / baseline.ms, 3),
        pipelineOutputTokens: outputTokensOf(fake.calls, destination),
        baselineOutputTokens: baseline.outputTokens,
      };
    });

    printTable(
      `Pipeline vs one call — simulated model: ${model.timeToFirstTokenMs} ms to first token, ${model.tokensPerSecond} tokens/s; LLM_CONCURRENCY ${cap}\n${machineLine()}`,
      [
        ["days", "one call (s)", "pipeline 1st day (s)", "pipeline done (s)", "done ÷ one call", "1st day ÷ one call", "floor (s)", "floor ÷ one call", "tokens pipeline / one call"],
        ...rows.map((row) => [
          row.days,
          seconds(row.baselineMs),
          seconds(row.pipelineFirstDayMs),
          seconds(row.pipelineCompleteMs),
          row.completeRatio,
          row.firstDayRatio,
          seconds(row.pipelineModelFloorMs),
          row.floorRatio,
          `${row.pipelineOutputTokens} / ${row.baselineOutputTokens}`,
        ]),
      ],
    );
    const week = rows.find((row) => row.days === 7);
    const targets: Target[] = week
      ? [
          { name: "7-day time-to-complete ÷ one call", value: week.completeRatio, op: "≤", limit: 0.35 },
          { name: "7-day time-to-first-day ÷ one call", value: week.firstDayRatio, op: "≤", limit: 0.2 },
        ]
      : [];
    if (targets.length > 0) printTable("Targets", targetRows(targets));
    printJsonLine(
      "pipeline",
      { model, llmConcurrency: cap, rows, elapsedS: seconds(performance.now() - started), machine: describeMachine() },
      targets,
    );
  } finally {
    await close();
  }
}

runMain(main);
