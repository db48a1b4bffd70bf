import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAIServer, type FakeOpenAIServer } from "../fixtures/fake-openai-server";
import { createTestDatabase } from "../helpers/database";

// Whatever goes wrong, the API key and the provider's error bodies never reach the logs or
// a user: the whole app runs from env (real provider, local runner) and every line it writes
// is captured, through its logger (at the most verbose level) and the console alike.

const API_KEY = "sk-live-SECRET-0f9e8d7c6b5a4f3e2d1c";
const PROVIDER_SECRET = "org-internal-trace-77ab";

let fake: FakeOpenAIServer;
const logged: string[] = [];
let appLog: string[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAIServer({ host: "127.0.0.1" });
  Object.assign(process.env, {
    OPENAI_API_KEY: API_KEY,
    OPENAI_BASE_URL: fake.url,
    LLM_API: "responses",
    JOB_RUNNER: "local",
    JOB_RETRY_BASE_MS: "5",
    JOB_MAX_ATTEMPTS: "2",
    RATE_LIMIT_MAX_JOBS: "0",
    LOG_LEVEL: "trace",
  });
  (await import("@/lib/env")).resetEnvCache();
  appLog = (await import("@/lib/logger")).captureLogsForTests().lines;
  await createTestDatabase();
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : String(arg))).join(" "));
    });
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  await fake.close();
});

async function runJob(destination: string) {
  const { submitItinerary } = await import("@/lib/itineraries/submit");
const { getItinerary } = await import("@/lib/itineraries/reads");
  const { localRunner } = await import("@/lib/jobs/local-functions");
  const { job } = await submitItinerary({ destination, durationDays: 1 });
  await new Promise((resolve) => setImmediate(resolve));
  await localRunner().drain();
  return (await getItinerary(job.id))!.job;
}

describe("secrets stay out of logs and errors", () => {
  it("a rejected key (the provider echoes it back) fails the job without leaking it", async () => {
    fake.setReply(() => ({
      kind: "http",
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${API_KEY}. ${PROVIDER_SECRET}`, type: "invalid_request_error" } },
    }));
    const job = await runJob("Quito, Ecuador");
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/OPENAI_API_KEY/);
    expect(job.error).not.toContain(API_KEY);
    expect(job.error).not.toContain(PROVIDER_SECRET);
  });

  it("server errors with bodies are retried and fail without leaking them", async () => {
    fake.setReply(() => ({ kind: "http", status: 500, body: { error: { message: `boom ${PROVIDER_SECRET} ${API_KEY}` } } }));
    const job = await runJob("Lima, Peru");
    expect(job.status).toBe("failed");
    expect(job.error).not.toContain(PROVIDER_SECRET);
  });

  it("nothing logged along the way contains the key or a provider body", () => {
    // Each failed call and each job failure was logged, as our own words.
    expect(appLog.some((line) => line.includes('"msg":"llm call failed"'))).toBe(true);
    expect(appLog.some((line) => line.includes('"msg":"job failed"'))).toBe(true);
    const all = [...logged, ...appLog].join("\n");
    expect(all).not.toContain(API_KEY);
    expect(all).not.toContain(API_KEY.slice(-12));
    expect(all).not.toContain(PROVIDER_SECRET);
  });
});
