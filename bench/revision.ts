import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { numberFlag, onInterrupt, readFlags, runMain } from "./support/cli";
import { machineLine, describeMachine } from "./support/machine";
import { printJsonLine, printTable, round, seconds } from "./support/report";
import { median } from "./support/stats";

// Changing a day with the demo model, as a traveller on the trip page sees it: from
// submitting an instruction (through the revisions route) to the first words of the new
// day and to the new day itself arriving on the job's event stream (what the page
// renders), and how many model calls each revision makes. The app runs in this process on
// the embedded database with the local runner, the demo model at its default pace.

const flags = readFlags({ revisions: { type: "string" }, "latency-ms": { type: "string" } });
const REVISIONS = numberFlag(flags.revisions, 5, "revisions");

const INSTRUCTIONS = ["make it more relaxed", "more food", "no museums", "swap the museum for a food market", "more"];

async function main() {
  const folder = await mkdtemp(path.join(os.tmpdir(), "itinera-bench-revision-"));
  const forget = onInterrupt(() => rm(folder, { recursive: true, force: true }));
  for (const name of ["DATABASE_URL", "OPENAI_API_KEY", "INNGEST_DEV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) delete process.env[name];
  Object.assign(process.env, {
    NODE_ENV: "production",
    JOB_RUNNER: "local",
    PGLITE_DIR: path.join(folder, "pglite"),
    LOG_LEVEL: "warn",
    RATE_LIMIT_MAX_JOBS: "0",
    MAX_CONCURRENT_JOBS_PER_CLIENT: "0",
  });
  if (flags["latency-ms"]) process.env.DEMO_MODEL_LATENCY_MS = String(numberFlag(flags["latency-ms"], 2000, "latency-ms"));

  const { resetEnvCache, env } = await import("@/lib/env");
  resetEnvCache();
  const { createDemoModel, promptText } = await import("@/lib/llm/demo-model");
  const { setModelForTests } = await import("@/lib/llm/model");
  const { parsePromptTask } = await import("@/lib/llm/prompts");
  const { submitItinerary } = await import("@/lib/itineraries/submit");
  const { revisionRunner } = await import("@/lib/jobs/local-functions");
  const { getItinerary } = await import("@/lib/itineraries/reads");
  const { waitForItineraryChange } = await import("@/lib/live/changes");
  const { closeDb } = await import("@/lib/db/client");
  const events = await import("@/app/api/itineraries/[id]/events/route");
  const revisions = await import("@/app/api/itineraries/[id]/days/[day]/revisions/route");

  // The demo model, counting the calls each kind of task makes.
  const demo = createDemoModel({ latencyMs: env().DEMO_MODEL_LATENCY_MS });
  const calls = new Map<string, number>();
  const counted: LanguageModelV4 = {
    ...demo,
    doGenerate: demo.doGenerate.bind(demo),
    doStream: (options) => {
      const task = parsePromptTask(promptText(options))?.task ?? "unknown";
      calls.set(task, (calls.get(task) ?? 0) + 1);
      return demo.doStream(options);
    },
  };
  setModelForTests({ model: counted, label: "demo model", kind: "demo" });

  try {
    const { job } = await submitItinerary({ destination: "Kyoto, Japan", durationDays: 3, interests: ["food", "art", "history"] });
    for (;;) {
      const found = await getItinerary(job.id);
      if (found?.job.status === "completed") break;
      if (found?.job.status !== "processing") throw new Error(`the trip ended ${found?.job.status}`);
      await waitForItineraryChange(job.id, 1000);
    }

    const rows: Array<{ instruction: string; firstWordsMs: number; newDayMs: number; calls: number }> = [];
    for (let index = 0; index < REVISIONS; index += 1) {
      const instruction = INSTRUCTIONS[index % INSTRUCTIONS.length]!;
      const day = (index % 3) + 1;
      const before = calls.get("revise-day") ?? 0;
      const started = performance.now();
      const response = await revisions.POST(
        new Request(`http://localhost/api/itineraries/${job.id}/days/${day}/revisions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ instruction }),
        }),
        { params: Promise.resolve({ id: job.id, day: String(day) }) },
      );
      if (response.status !== 202) throw new Error(`revision refused: ${response.status} ${await response.text()}`);
      const accepted = (await response.json()) as { days: Array<{ day: number; revision: number }> };
      const target = accepted.days.find((entry) => entry.day === day)!.revision + 1;
      // As the page does: it follows the job again once its change is accepted.
      const abort = new AbortController();
      const stream = await events.GET(new Request(`http://localhost/api/itineraries/${job.id}/events`, { signal: abort.signal }), {
        params: Promise.resolve({ id: job.id }),
      });
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let firstWordsMs = Number.NaN;
      let newDayMs = Number.NaN;
      let text = "";
      while (Number.isNaN(newDayMs)) {
        const { value, done } = await reader.read();
        if (done) throw new Error("the event stream ended before the new day arrived");
        text += value;
        let end: number;
        while ((end = text.indexOf("\n\n")) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const data = block.match(/^data: (.*)$/m)?.[1];
          if (!data) continue;
          const at = performance.now() - started;
          if (block.startsWith("event: partial")) {
            const preview = JSON.parse(data) as { day: number | null; value: { activities?: unknown[] } | null };
            if (Number.isNaN(firstWordsMs) && preview.day === day && (preview.value?.activities?.length ?? 0) > 0) firstWordsMs = at;
          } else if (block.startsWith("event: snapshot")) {
            const snapshot = JSON.parse(data) as { days: Array<{ day: number; revision: number; state: string }> };
            const shown = snapshot.days.find((entry) => entry.day === day);
            if (shown?.state === "failed") throw new Error(`the revision failed`);
            if (shown?.revision === target && shown.state === "ready") newDayMs = at;
          }
        }
      }
      abort.abort();
      await reader.cancel().catch(() => {});
      await revisionRunner().drain();
      rows.push({ instruction, firstWordsMs: round(firstWordsMs), newDayMs: round(newDayMs), calls: (calls.get("revise-day") ?? 0) - before });
    }

    printTable(
      `Changing a day — demo model (DEMO_MODEL_LATENCY_MS ${env().DEMO_MODEL_LATENCY_MS}), local runner, embedded database\n${machineLine()}`,
      [
        ["instruction", "first words of the new day (s)", "new day on the stream (s)", "model calls"],
        ...rows.map((row) => [row.instruction, seconds(row.firstWordsMs), seconds(row.newDayMs), row.calls]),
        ["median", seconds(median(rows.map((row) => row.firstWordsMs))), seconds(median(rows.map((row) => row.newDayMs))), median(rows.map((row) => row.calls))],
      ],
    );
    printJsonLine("revision", { latencyMs: env().DEMO_MODEL_LATENCY_MS, rows, machine: describeMachine() }, []);
  } finally {
    await revisionRunner().drain();
    await closeDb();
    await rm(folder, { recursive: true, force: true });
    forget();
  }
}

runMain(main);
