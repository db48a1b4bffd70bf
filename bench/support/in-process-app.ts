import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { onInterrupt } from "./cli";
import {
  startFakeOpenAIServer,
  type FakeOpenAIServer,
  type SimulatedModel,
} from "../../tests/fixtures/fake-openai-server";

// Itinera's job machinery in this process, as `next start` runs it with no Inngest: the
// local runner, embedded PGlite in a throwaway folder, and the real @ai-sdk/openai provider
// talking HTTP to the fake OpenAI-compatible server. The app's modules are imported only
// after the environment is set, because lib/env.ts reads it once.

export interface InProcessAppOptions {
  simulatedModel?: SimulatedModel;
  /** LLM_CONCURRENCY; the app's default when omitted. */
  llmConcurrency?: number;
}

async function loadApp() {
  const [service, reads, queries, changes, runner, generate, db, schema, envModule] = await Promise.all([
    import("@/lib/itineraries/submit"),
    import("@/lib/itineraries/reads"),
    import("@/lib/db/queries/itineraries"),
    import("@/lib/live/changes"),
    import("@/lib/jobs/local-functions"),
    import("@/lib/llm/generate"),
    import("@/lib/db/client"),
    import("@/lib/db/schema"),
    import("@/lib/env"),
  ]);
  return { service, reads, queries, changes, runner, generate, db, schema, envModule };
}

export type AppModules = Awaited<ReturnType<typeof loadApp>>;

export interface InProcessApp {
  fake: FakeOpenAIServer;
  app: AppModules;
  /** The LLM cap in force (LLM_CONCURRENCY). */
  llmConcurrency: number;
  close(): Promise<void>;
}

const UNSET = ["DATABASE_URL", "INNGEST_DEV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY", "LLM_API", "APP_URL"];

export async function startInProcessApp(options: InProcessAppOptions = {}): Promise<InProcessApp> {
  const folder = await mkdtemp(path.join(os.tmpdir(), "itinera-bench-"));
  const forget = onInterrupt(() => rm(folder, { recursive: true, force: true }));
  const fake = await startFakeOpenAIServer({ simulatedModel: options.simulatedModel });
  for (const name of UNSET) delete process.env[name];
  Object.assign(process.env, {
    NODE_ENV: "production",
    JOB_RUNNER: "local",
    PGLITE_DIR: path.join(folder, "pglite"),
    OPENAI_API_KEY: "bench-key",
    OPENAI_BASE_URL: fake.url,
    LLM_MODEL: "fake-model",
    RATE_LIMIT_MAX_JOBS: "0",
    MAX_CONCURRENT_JOBS_PER_CLIENT: "0",
    // The app shares this process's stdout with the tables: a line per model call would
    // bury them. (The api bench's server logs at the default level, into memory.)
    LOG_LEVEL: "warn",
  });
  if (options.llmConcurrency !== undefined) process.env.LLM_CONCURRENCY = String(options.llmConcurrency);
  else delete process.env.LLM_CONCURRENCY;

  const app = await loadApp();
  app.envModule.resetEnvCache();
  await app.db.getDb(); // start PGlite and migrate before anything is timed

  return {
    fake,
    app,
    llmConcurrency: app.envModule.env().LLM_CONCURRENCY,
    async close() {
      for (const id of app.runner.localRunner().activeJobIds) app.runner.localRunner().cancel(id);
      await app.runner.localRunner().drain();
      await app.db.closeDb();
      await fake.close();
      await rm(folder, { recursive: true, force: true });
      forget();
    },
  };
}

export interface JobTimes {
  id: string;
  status: string;
  /** From submit to the first day row readable through the service. */
  firstDayMs: number | null;
  /** From submit to the job read back as ended. */
  endMs: number;
}

/**
 * Follows one job the way a reader would, through getItinerary: re-read on every change
 * notification (sent once a write has committed). It listens before each read, so a change
 * that lands during the read is not missed; `pollMs` is only a safety net.
 */
export async function followJob(app: AppModules, id: string, submittedAt: number, pollMs = 500): Promise<JobTimes> {
  let firstDayMs: number | null = null;
  const stop = new AbortController();
  try {
    for (;;) {
      const changed = app.changes.waitForItineraryChange(id, pollMs, stop.signal);
      const found = await app.reads.getItinerary(id);
      const now = performance.now();
      if (!found) throw new Error(`job ${id} disappeared`);
      const daysLanded = found.days.length + (found.job.itinerary?.length ?? 0);
      if (firstDayMs === null && daysLanded > 0) firstDayMs = now - submittedAt;
      if (found.job.status !== "processing") {
        return { id, status: found.job.status, firstDayMs, endMs: now - submittedAt };
      }
      await changed;
    }
  } finally {
    stop.abort();
  }
}

/** Submits one trip and follows it to its end. */
export async function runJob(app: AppModules, request: { destination: string; durationDays: number }): Promise<JobTimes> {
  const submittedAt = performance.now();
  const { job } = await app.service.submitItinerary({ ...request, interests: ["food"] });
  return followJob(app, job.id, submittedAt);
}
