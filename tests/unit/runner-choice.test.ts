import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { decideJobRunner, StartupRefusedError } from "@/lib/jobs/runner-choice";
import { MAX_SERVERLESS_LLM_TIMEOUT_MS } from "@/inngest/time-budget";

// Which runner a server starts with, and the configurations it refuses to start with.

const KEYS = { INNGEST_EVENT_KEY: "evt-key", INNGEST_SIGNING_KEY: "signkey-prod-abc123" };

const decide = (source: Record<string, string>) => decideJobRunner(parseEnv(source));

/** The StartupRefusedError decideJobRunner throws for this environment. */
function refusal(source: Record<string, string>): StartupRefusedError {
  try {
    decide(source);
  } catch (error) {
    expect(error).toBeInstanceOf(StartupRefusedError);
    return error as StartupRefusedError;
  }
  throw new Error(`decideJobRunner accepted ${JSON.stringify(source)}`);
}

describe("the Inngest runner in production", () => {
  it("runs on Inngest Cloud with both keys, on Vercel or anywhere else", () => {
    expect(decide({ NODE_ENV: "production", VERCEL: "1", ...KEYS })).toEqual({
      kind: "inngest",
      reason: "Inngest Cloud keys are set",
    });
    expect(decide({ NODE_ENV: "production", ...KEYS }).kind).toBe("inngest");
  });

  it.each([
    ["INNGEST_SIGNING_KEY", { INNGEST_EVENT_KEY: "evt-key" }],
    ["INNGEST_EVENT_KEY", { INNGEST_SIGNING_KEY: "signkey-prod-abc123" }],
  ])("refuses to start without %s, naming it", (missing, keys) => {
    const error = refusal({ NODE_ENV: "production", VERCEL: "1", ...keys });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain(`${missing} is not set`);
  });

  it("names both keys when JOB_RUNNER=inngest has neither", () => {
    const error = refusal({ NODE_ENV: "production", JOB_RUNNER: "inngest" });
    expect(error.message).toContain("INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY are not set");
    expect(error.message).toMatch(/INNGEST_DEV=1/);
  });

  it("needs no keys with the Inngest dev server", () => {
    expect(decide({ INNGEST_DEV: "1" })).toEqual({ kind: "inngest", reason: "INNGEST_DEV is set" });
    expect(decide({ JOB_RUNNER: "inngest", INNGEST_DEV: "http://127.0.0.1:8288" }).kind).toBe("inngest");
  });

  it("on Vercel, refuses an LLM timeout that could outlast the function, naming LLM_TIMEOUT_MS", () => {
    const limit = String(MAX_SERVERLESS_LLM_TIMEOUT_MS);
    expect(decide({ NODE_ENV: "production", VERCEL: "1", ...KEYS, LLM_TIMEOUT_MS: limit }).kind).toBe("inngest");
    const error = refusal({ NODE_ENV: "production", VERCEL: "1", ...KEYS, LLM_TIMEOUT_MS: String(MAX_SERVERLESS_LLM_TIMEOUT_MS + 1) });
    expect(error.message).toContain(`LLM_TIMEOUT_MS is ${MAX_SERVERLESS_LLM_TIMEOUT_MS + 1} but may be at most ${limit}`);
    // On an ordinary server a request has no such limit.
    expect(decide({ NODE_ENV: "production", ...KEYS, LLM_TIMEOUT_MS: "300000" }).kind).toBe("inngest");
  });

  it("lists every problem at once", () => {
    const error = refusal({ VERCEL: "1", INNGEST_EVENT_KEY: "evt-key", LLM_TIMEOUT_MS: "200000" });
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain("INNGEST_SIGNING_KEY");
    expect(error.message).toContain("LLM_TIMEOUT_MS");
  });
});

describe("INNGEST_DEV where it cannot be meant", () => {
  // In dev mode the Inngest SDK skips signature checks: /api/inngest would run anything sent to it.
  const SIGNATURE_WARNING = "skips signature checks";

  it("refuses to start on Vercel in production, naming INNGEST_DEV and what to do", () => {
    const error = refusal({ NODE_ENV: "production", VERCEL: "1", INNGEST_DEV: "1" });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain("INNGEST_DEV is set, but this is a production deployment on Vercel");
    expect(error.message).toContain(SIGNATURE_WARNING);
    expect(error.message).toContain("Remove INNGEST_DEV (or set it to 0)");
  });

  it.each([
    ["INNGEST_EVENT_KEY is set too", { INNGEST_EVENT_KEY: "evt-key" }],
    ["INNGEST_SIGNING_KEY is set too", { INNGEST_SIGNING_KEY: "signkey-prod-abc123" }],
    ["INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY are set too", KEYS],
  ])("refuses to start beside Inngest Cloud keys, anywhere: %s", (said, keys) => {
    const hosts: Array<Record<string, string>> = [{}, { NODE_ENV: "production" }, { NODE_ENV: "production", VERCEL: "1" }];
    for (const host of hosts) {
      const error = refusal({ ...host, ...keys, INNGEST_DEV: "http://127.0.0.1:8288" });
      expect(error.message).toContain(`INNGEST_DEV is set, but ${said}`);
      expect(error.message).toContain(SIGNATURE_WARNING);
    }
  });

  it("refuses whichever runner JOB_RUNNER picks: the endpoint is served either way", () => {
    expect(refusal({ JOB_RUNNER: "local", INNGEST_DEV: "1", ...KEYS }).message).toContain(SIGNATURE_WARNING);
    expect(refusal({ NODE_ENV: "production", VERCEL: "1", JOB_RUNNER: "local", INNGEST_DEV: "1" }).message).toContain(
      SIGNATURE_WARNING,
    );
  });

  it("is allowed where it is meant: a laptop, a production build run locally, `vercel dev`", () => {
    expect(decide({ INNGEST_DEV: "1" }).reason).toBe("INNGEST_DEV is set");
    expect(decide({ NODE_ENV: "production", INNGEST_DEV: "1" }).kind).toBe("inngest");
    expect(decide({ VERCEL: "1", INNGEST_DEV: "1" }).kind).toBe("inngest");
  });

  it("INNGEST_DEV=0 is off: Cloud keys on Vercel run as usual", () => {
    expect(decide({ NODE_ENV: "production", VERCEL: "1", INNGEST_DEV: "0", ...KEYS })).toEqual({
      kind: "inngest",
      reason: "Inngest Cloud keys are set",
    });
  });
});

describe("the local runner", () => {
  it("on a serverless host with no Inngest keys, refuses to start, naming the keys and the way out", () => {
    const error = refusal({ NODE_ENV: "production", VERCEL: "1" });
    expect(error.message).toContain("serverless host (VERCEL is set)");
    expect(error.message).toContain("INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY");
    expect(error.message).toContain("JOB_RUNNER=local");
  });

  it("on a serverless host, runs when JOB_RUNNER=local says so, with a warning", () => {
    const decision = decide({ NODE_ENV: "production", VERCEL: "1", JOB_RUNNER: "local" });
    expect(decision.kind).toBe("local");
    expect(decision.reason).toBe("JOB_RUNNER=local");
    expect(decision.warning).toMatch(/serverless host/);
  });

  it("VERCEL=0 is an ordinary server", () => {
    expect(decide({ NODE_ENV: "production", VERCEL: "0" }).kind).toBe("local");
  });

  it("on an ordinary production server without keys, is chosen with a warning: one machine, durable through the database", () => {
    const decision = decide({ NODE_ENV: "production" });
    expect(decision.kind).toBe("local");
    expect(decision.reason).toBe("no Inngest configuration");
    expect(decision.warning).toMatch(/one machine/);
    expect(decision.warning).toMatch(/durable through the database/);
  });

  it("in development, or when JOB_RUNNER=local is explicit, is chosen without a warning", () => {
    expect(decide({})).toEqual({ kind: "local", reason: "no Inngest configuration" });
    expect(decide({ NODE_ENV: "production", JOB_RUNNER: "local" })).toEqual({ kind: "local", reason: "JOB_RUNNER=local" });
  });

  it("JOB_RUNNER=local wins over Inngest keys", () => {
    expect(decide({ NODE_ENV: "production", JOB_RUNNER: "local", ...KEYS }).kind).toBe("local");
  });
});
