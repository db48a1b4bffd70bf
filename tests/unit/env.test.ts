import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { ENV_VARIABLE_NAMES, EnvError, jobRunnerKind, parseEnv } from "@/lib/env";

/** The EnvError parseEnv throws for this source (fails the test if it does not throw one). */
function envError(source: Record<string, string | undefined>): EnvError {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return error as EnvError;
  }
  throw new Error(`parseEnv accepted ${JSON.stringify(source)}`);
}

describe("parseEnv", () => {
  it("runs with no configuration at all: embedded database, demo model, local jobs", () => {
    const config = parseEnv({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.OPENAI_API_KEY).toBeUndefined();
    expect(config.OPENAI_BASE_URL).toBeUndefined();
    expect(config.JOB_RUNNER).toBeUndefined();
    // The defaults documented in .env.example.
    expect(config).toMatchObject({
      NODE_ENV: "development",
      PORT: 3000,
      PGLITE_DIR: ".data/pglite",
      LLM_MODEL: "gpt-5-mini",
      LLM_TIMEOUT_MS: 60_000,
      LLM_CONCURRENCY: 16,
      DEMO_MODEL_LATENCY_MS: 2000,
      JOB_MAX_ATTEMPTS: 5,
      JOB_RETRY_BASE_MS: 1000,
      JOB_RETENTION_DAYS: 30,
      LOG_LEVEL: "info",
      VERCEL: false,
    });
    expect(config.LOG_FORMAT).toBeUndefined();
    expect(jobRunnerKind(config)).toBe("local");
  });

  it("reads numbers from strings and keeps valid values", () => {
    const config = parseEnv({
      PORT: "8080",
      LLM_CONCURRENCY: "2",
      DATABASE_URL: "postgresql://user:pw@localhost:5432/itinera",
      OPENAI_BASE_URL: "http://localhost:11434/v1",
      LLM_API: "chat",
    });
    expect(config.PORT).toBe(8080);
    expect(config.LLM_CONCURRENCY).toBe(2);
    expect(config.DATABASE_URL).toBe("postgresql://user:pw@localhost:5432/itinera");
    expect(config.LLM_API).toBe("chat");
  });

  it("treats empty and blank strings as unset, as .env files write them", () => {
    const config = parseEnv({
      OPENAI_API_KEY: "",
      DATABASE_URL: "   ",
      PORT: "",
      LLM_CONCURRENCY: " ",
      JOB_RUNNER: "",
      INNGEST_DEV: "",
      INNGEST_EVENT_KEY: "",
    });
    expect(config.OPENAI_API_KEY).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(parseEnv({}).PORT);
    expect(config.LLM_CONCURRENCY).toBe(parseEnv({}).LLM_CONCURRENCY);
    expect(jobRunnerKind(config)).toBe("local");
  });

  it.each([
    ["LLM_CONCURRENCY", "abc"],
    ["LLM_CONCURRENCY", "0"],
    ["LLM_CONCURRENCY", "2.5"],
    ["DATABASE_URL", "mysql://x"],
    ["JOB_RUNNER", "queue"],
    ["PORT", "70000"],
    ["OPENAI_BASE_URL", "not a url"],
    ["LLM_API", "completions"],
    ["JOB_MAX_ATTEMPTS", "0"],
    ["JOB_RETENTION_DAYS", "-1"],
    ["JOB_RETENTION_DAYS", "1.5"],
    ["LOG_LEVEL", "verbose"],
    ["LOG_FORMAT", "xml"],
  ])("rejects %s=%s with an EnvError naming the variable", (name, value) => {
    const error = envError({ [name]: value });
    expect(error.message).toContain(name);
    expect(error.issues.some((issue) => issue.startsWith(`${name}:`))).toBe(true);
  });

  it("lists every bad variable at once, and only those", () => {
    const error = envError({ LLM_CONCURRENCY: "abc", JOB_RUNNER: "queue", PORT: "3001" });
    expect(error.issues).toHaveLength(2);
    expect(error.message).toContain("LLM_CONCURRENCY");
    expect(error.message).toContain("JOB_RUNNER");
    expect(error.message).not.toContain("PORT");
  });

  it("does not echo a secret-bearing DATABASE_URL back in the error", () => {
    const error = envError({ DATABASE_URL: "mysql://admin:hunter2-secret@db.example.com/app" });
    expect(error.message).not.toContain("hunter2-secret");
  });
});

describe("WEBHOOK_SECRET", () => {
  const secretOf = (bytes: number) => `whsec_${randomBytes(bytes).toString("base64")}`;

  it.each([
    ["the documented command's", secretOf(32)],
    ["the shortest allowed", secretOf(16)],
    ["an unpadded", secretOf(24)],
  ])("accepts %s whsec_ + base64 secret", (_, secret) => {
    expect(parseEnv({ WEBHOOK_SECRET: secret }).WEBHOOK_SECRET).toBe(secret);
  });

  it.each([
    ["a plain string", "a-long-enough-plain-text-secret"],
    ["base64 without the whsec_ prefix", randomBytes(32).toString("base64")],
    ["fewer than 16 bytes", secretOf(15)],
    ["URL-safe base64", `whsec_${"-_".repeat(16)}`],
    ["base64 without its padding", secretOf(31).replace(/=+$/, "")],
    ["a trailing newline", `${secretOf(32)}\n`],
    ["a bare prefix", "whsec_"],
  ])("refuses %s, naming WEBHOOK_SECRET and how to make one, without echoing it", (_, secret) => {
    const error = envError({ WEBHOOK_SECRET: secret });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatch(/^WEBHOOK_SECRET: must be "whsec_" followed by the base64 of at least 16 random bytes/);
    expect(error.message).toContain(`echo "whsec_$(openssl rand -base64 32)"`);
    const secretPart = secret.replace(/^whsec_/, "").trim();
    expect(secretPart === "" || !error.message.includes(secretPart)).toBe(true);
  });

  it("every Standard Webhooks library decodes an accepted secret to its key", () => {
    // What standardwebhooks and svix do: strip the prefix, decode strict base64.
    const secret = secretOf(32);
    parseEnv({ WEBHOOK_SECRET: secret });
    expect(new Webhook(secret).sign("msg_1", new Date(0), "{}")).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });
});

describe("jobRunnerKind", () => {
  it("is local with no Inngest configuration", () => {
    expect(jobRunnerKind(parseEnv({}))).toBe("local");
  });

  it("is inngest when the dev server or either Cloud key is configured", () => {
    expect(jobRunnerKind(parseEnv({ INNGEST_DEV: "1" }))).toBe("inngest");
    expect(jobRunnerKind(parseEnv({ INNGEST_DEV: "http://localhost:8288" }))).toBe("inngest");
    expect(jobRunnerKind(parseEnv({ INNGEST_EVENT_KEY: "evt-key" }))).toBe("inngest");
    // Half a Cloud configuration is Inngest too, so start-up names the missing key.
    expect(jobRunnerKind(parseEnv({ INNGEST_SIGNING_KEY: "signkey-prod-1" }))).toBe("inngest");
  });

  it("treats INNGEST_DEV=0 as off", () => {
    expect(jobRunnerKind(parseEnv({ INNGEST_DEV: "0" }))).toBe("local");
  });

  it("lets JOB_RUNNER override the guess both ways", () => {
    expect(jobRunnerKind(parseEnv({ INNGEST_DEV: "1", JOB_RUNNER: "local" }))).toBe("local");
    expect(jobRunnerKind(parseEnv({ INNGEST_EVENT_KEY: "k", JOB_RUNNER: "local" }))).toBe("local");
    expect(jobRunnerKind(parseEnv({ JOB_RUNNER: "inngest" }))).toBe("inngest");
  });
});

describe("the documentation of the environment", () => {
  const root = path.resolve(import.meta.dirname, "../..");
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const example = readFileSync(path.join(root, ".env.example"), "utf8");
  // NODE_ENV is set by Next and the test runner, not by the operator.
  const documented = ENV_VARIABLE_NAMES.filter((name) => name !== "NODE_ENV");

  it.each(documented)("%s has a row in the README's configuration table", (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` \\|`, "m"));
  });

  it.each(documented)("%s is in .env.example", (name) => {
    expect(example).toMatch(new RegExp(`^# ${name}=`, "m"));
  });
});
