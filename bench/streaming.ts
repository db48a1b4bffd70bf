import { generateWholeTrip } from "./baseline";
import { numberFlag, readModelFlags, runMain } from "./support/cli";
import { followJob, runJob, startInProcessApp } from "./support/in-process-app";
import { describeMachine, machineLine } from "./support/machine";
import { printJsonLine, printTable, round, seconds, targetRows, type Target } from "./support/report";
import type { Preview } from "@/lib/domain/preview";

// Watching a trip being written: for one trip, how soon a watcher sees something (the
// outline's first words), the first activity of a day, the first whole day, and the whole
// trip — each against the one-call baseline's time to its whole answer, on the same
// simulated model streaming at a fixed token rate. Previews are read where the event stream
// reads them (the change feed of this process), so the figures are what a browser is sent.

const { flags, model, llmConcurrency } = readModelFlags();
const DAYS = numberFlag(flags.days, 7, "days");

const trip = (destination: string) => ({
  destination,
  durationDays: DAYS,
  startDate: null,
  interests: ["food"],
  pace: "balanced" as const,
  budget: "moderate" as const,
  travellers: 2,
});

const hasText = (value: unknown): boolean =>
  typeof value === "string"
    ? value.trim().length > 0
    : Array.isArray(value)
      ? value.some(hasText)
      : typeof value === "object" && value !== null && Object.values(value).some(hasText);

const hasActivity = (preview: Preview) =>
  preview.part === "day" &&
  Array.isArray(preview.value?.activities) &&
  preview.value.activities.some((activity) => typeof (activity as { title?: unknown }).title === "string");

async function main() {
  const started = performance.now();
  const { app, fake, llmConcurrency: cap, close } = await startInProcessApp({ llmConcurrency });
  try {
    // Warm-up with an instant model: module loading, JIT, the first queries and sockets.
    await runJob(app, { destination: "Warm-up", durationDays: 2 });
    await generateWholeTrip(trip("Warm-up"));
    fake.reset();
    fake.setSimulatedModel(model);

    const baselineStarted = performance.now();
    const baseline = generateWholeTrip(trip("Baseline City")).then(() => performance.now() - baselineStarted);

    // The pipeline's job, watched from the moment it is submitted.
    const submittedAt = performance.now();
    const { job } = await app.service.submitItinerary(trip("Streamed City"));
    const seen = { content: Number.NaN, activity: Number.NaN };
    let previews = 0;
    const stopPreviews = app.changes.onPreview(job.id, (preview) => {
      previews += 1;
      const at = performance.now() - submittedAt;
      if (Number.isNaN(seen.content) && hasText(preview.value)) seen.content = at;
      if (Number.isNaN(seen.activity) && hasActivity(preview)) seen.activity = at;
    });
    const times = await followJob(app, job.id, submittedAt);
    stopPreviews();
    if (times.status !== "completed") throw new Error(`the job ended ${times.status}`);
    const oneCallMs = await baseline;

    const ratio = (ms: number) => round(ms / oneCallMs, 3);
    // The least any machinery could take on this model: the outline's skeleton gates the
    // days; its details run beside them.
    const mine = fake.calls.filter((call) => call.task?.trip.destination === "Streamed City");
    const gating = mine.filter((call) => call.task?.task === "outline").reduce((sum, call) => sum + (call.simulatedMs ?? 0), 0);
    const floorMs = gating + Math.max(0, ...mine.filter((call) => call.task?.task === "day").map((call) => call.simulatedMs ?? 0));
    const rows = {
      oneCallMs: round(oneCallMs),
      firstContentMs: round(seen.content),
      firstActivityMs: round(seen.activity),
      firstDayMs: round(times.firstDayMs ?? Number.NaN),
      completeMs: round(times.endMs),
      floorMs: round(floorMs),
      previews,
      llmCalls: fake.calls.filter((call) => call.task?.trip.destination === "Streamed City").length,
    };
    printTable(
      `Watching a ${DAYS}-day trip being written — simulated model streaming: ${model.timeToFirstTokenMs} ms to first token, ${model.tokensPerSecond} tokens/s; LLM_CONCURRENCY ${cap}\n${machineLine()}`,
      [
        ["", "seconds", "÷ one call"],
        ["one call, whole answer (baseline)", seconds(rows.oneCallMs), 1],
        ["first visible content", seconds(rows.firstContentMs), ratio(seen.content)],
        ["first activity", seconds(rows.firstActivityMs), ratio(seen.activity)],
        ["first complete day", seconds(rows.firstDayMs), ratio(rows.firstDayMs)],
        ["completion", seconds(rows.completeMs), ratio(rows.completeMs)],
        ["completion floor (the model's own time)", seconds(rows.floorMs), ratio(rows.floorMs)],
        ["previews sent / LLM calls", `${rows.previews} / ${rows.llmCalls}`, ""],
      ],
    );
    const targets: Target[] = [
      { name: `${DAYS}-day first visible content ÷ one call`, value: ratio(seen.content), op: "≤", limit: 0.05 },
      { name: `${DAYS}-day first activity ÷ one call`, value: ratio(seen.activity), op: "≤", limit: 0.15 },
      { name: `${DAYS}-day completion ÷ one call`, value: ratio(rows.completeMs), op: "≤", limit: 0.25 },
    ];
    printTable("Targets", targetRows(targets));
    printJsonLine(
      "streaming",
      { model, days: DAYS, llmConcurrency: cap, ...rows, elapsedS: seconds(performance.now() - started), machine: describeMachine() },
      targets,
    );
  } finally {
    await close();
  }
}

runMain(main);
