import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { createTestDatabase } from "../helpers/database";

// The server's start path, as Next calls it: instrumentation.ts's register(). A refusal is
// logged as one JSON line naming what to fix, printed for a person, and ends the process
// with status 1 (Next itself would keep serving 500s); an accepted configuration logs the
// runner and model, and a warning when jobs run in-process on a production server.
// (tests/e2e/startup.reliability.spec.ts starts the real `next start` with the same refusals.)

process.env.NEXT_RUNTIME = "nodejs";
process.env.DEMO_MODEL_LATENCY_MS = "0";
const CONTROLLED = ["NODE_ENV", "VERCEL", "JOB_RUNNER", "INNGEST_DEV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY", "LOG_LEVEL", "LLM_TIMEOUT_MS"];
const saved = Object.fromEntries(CONTROLLED.map((name) => [name, process.env[name]]));

const { resetEnvCache } = await import("@/lib/env");
const { captureLogsForTests } = await import("@/lib/logger");
const { stopRepeating } = await import("@/lib/jobs/repeat");
const { localRunner } = await import("@/lib/jobs/local-functions");
const { register } = await import("@/instrumentation");

interface LogEntry {
  level: string;
  component?: string;
  msg: string;
  problems?: string[];
  runner?: string;
  model?: string;
}

let lines: string[] = [];
let exit: MockInstance<typeof process.exit>;
let stderr: MockInstance<typeof process.stderr.write>;
/** What register() printed to stderr for a person. */
const printed = () => stderr.mock.calls.map(([chunk]) => String(chunk)).join("");
const entries = () => lines.map((line) => JSON.parse(line) as LogEntry);

/** Sets exactly these variables among the ones the runner choice reads. */
function useEnv(values: Record<string, string>) {
  for (const name of CONTROLLED) delete process.env[name];
  Object.assign(process.env, { NODE_ENV: "test", ...values });
  resetEnvCache();
  lines = captureLogsForTests().lines;
}

beforeAll(async () => {
  await createTestDatabase();
});

beforeEach(() => {
  stopRepeating("sweeper");
  stopRepeating("expiry");
  vi.restoreAllMocks();
  exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
  stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await localRunner().drain();
  stopRepeating("sweeper");
  stopRepeating("expiry");
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("register() refuses to start", () => {
  it("on Vercel with no Inngest keys, naming both, and exits with status 1", async () => {
    useEnv({ NODE_ENV: "production", VERCEL: "1" });
    await register();
    expect(exit).toHaveBeenCalledWith(1);
    expect(printed()).toMatch(/Itinera cannot start:[\s\S]*INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY/);
    const [fatal] = entries().filter((entry) => entry.level === "fatal");
    expect(fatal).toMatchObject({ component: "startup", msg: "refusing to start" });
    expect(fatal?.problems?.join("\n")).toMatch(/serverless host \(VERCEL is set\)/);
  });

  it("with the Inngest runner and no signing key, naming INNGEST_SIGNING_KEY", async () => {
    useEnv({ NODE_ENV: "production", INNGEST_EVENT_KEY: "evt-key" });
    await register();
    expect(exit).toHaveBeenCalledWith(1);
    expect(printed()).toContain("INNGEST_SIGNING_KEY is not set");
  });

  it("with an invalid variable, naming it", async () => {
    useEnv({ LOG_LEVEL: "loud" });
    await register();
    expect(exit).toHaveBeenCalledWith(1);
    expect(printed()).toMatch(/LOG_LEVEL/);
    expect(entries().some((entry) => entry.level === "fatal" && entry.problems?.some((line) => line.startsWith("LOG_LEVEL:")))).toBe(true);
  });
});

describe("register() starts", () => {
  it("with Inngest Cloud keys on Vercel, naming the runner and the model", async () => {
    useEnv({ NODE_ENV: "production", VERCEL: "1", INNGEST_EVENT_KEY: "evt-key", INNGEST_SIGNING_KEY: "signkey-prod-0123" });
    await register();
    expect(exit).not.toHaveBeenCalled();
    const started = entries().find((entry) => entry.component === "startup" && entry.level === "info");
    expect(started).toMatchObject({ runner: "inngest", model: "demo model" });
    expect(entries().filter((entry) => entry.level === "warn")).toEqual([]);
  });

  it("on an ordinary production server without keys: the local runner, with a warning saying so", async () => {
    useEnv({ NODE_ENV: "production" });
    await register();
    expect(exit).not.toHaveBeenCalled();
    expect(entries().find((entry) => entry.component === "startup" && entry.level === "info")).toMatchObject({ runner: "local" });
    const warning = entries().find((entry) => entry.level === "warn");
    expect(warning?.msg).toMatch(/jobs run inside this server process \(the local runner\)/);
    expect(warning?.msg).toMatch(/one machine, durable through the database/);
  });
});
