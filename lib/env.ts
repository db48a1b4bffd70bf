import { z } from "zod";
import { processSingleton, replaceProcessSingleton } from "./singleton";

// The one place that reads process.env. Everything else asks `env()`.

const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Bytes a webhook signing key has at least (the command below makes 32). */
export const MIN_WEBHOOK_KEY_BYTES = 16;
export const MAKE_WEBHOOK_SECRET = `echo "whsec_$(openssl rand -base64 32)"`;
/** Standard, padded base64, which Standard Webhooks libraries decode strictly. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * "whsec_" + base64 of at least MIN_WEBHOOK_KEY_BYTES bytes: the secret format every
 * Standard Webhooks library (standardwebhooks, svix) verifies without options; they
 * base64-decode what follows the prefix, so a plain string would not verify there.
 */
function isStandardWebhookSecret(secret: string): boolean {
  if (!secret.startsWith("whsec_")) return false;
  const encoded = secret.slice("whsec_".length);
  const decodedBytes = (encoded.length / 4) * 3 - (encoded.match(/=+$/)?.[0].length ?? 0);
  return BASE64.test(encoded) && decodedBytes >= MIN_WEBHOOK_KEY_BYTES;
}

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: positiveInt(1, 65535).default(3000),
  /** Public origin used in links (statusUrl, Location). Derived from the request when unset. */
  APP_URL: z.url().optional(),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /** Folder for the embedded PGlite database when DATABASE_URL is unset. */
  PGLITE_DIR: z.string().min(1).default(".data/pglite"),

  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  /** Which OpenAI wire API to call: the Responses API or Chat Completions. */
  LLM_API: z.enum(["responses", "chat"]).optional(),
  LLM_MODEL: z.string().min(1).default("gpt-5-mini"),
  LLM_TIMEOUT_MS: positiveInt(1000, 600_000).default(60_000),
  /**
   * Most LLM calls in flight at once. 16 lets the longest trip (14 days) plan every day at
   * once with room for the next jobs' outlines; a local model server may want fewer.
   */
  LLM_CONCURRENCY: positiveInt(1, 100).default(16),
  /** Milliseconds the offline demo model takes per call, so progress is visible. */
  DEMO_MODEL_LATENCY_MS: positiveInt(0, 60_000).default(2000),

  JOB_RUNNER: z.enum(["inngest", "local"]).optional(),
  JOB_MAX_ATTEMPTS: positiveInt(1, 21).default(5),
  JOB_RETRY_BASE_MS: positiveInt(1, 600_000).default(1000),
  /** A processing job with no progress for this long is resumed (local) or failed (Inngest). */
  JOB_STALE_AFTER_SECONDS: positiveInt(10, 86_400).default(1800),
  /** A job still processing this long after it was requested is failed. */
  JOB_MAX_AGE_SECONDS: positiveInt(60, 7 * 86_400).default(6 * 3600),
  /** How often the sweeper looks for stuck jobs (local runner; Inngest uses a cron). */
  JOB_SWEEP_INTERVAL_SECONDS: positiveInt(5, 86_400).default(60),
  /** Days a job is kept after it was requested; older ended jobs are deleted. 0 keeps them forever. */
  JOB_RETENTION_DAYS: positiveInt(0, 36_500).default(30),

  /** Jobs one client may create per window; 0 turns the limit off. */
  RATE_LIMIT_MAX_JOBS: positiveInt(0, 100_000).default(20),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt(1, 86_400).default(60),
  /** Jobs one client may have processing at once; 0 turns the cap off. */
  MAX_CONCURRENT_JOBS_PER_CLIENT: positiveInt(0, 10_000).default(5),

  /** Live streams (GET /api/itineraries/{id}/events) one client may hold open in one process. */
  SSE_MAX_PER_CLIENT: positiveInt(1, 10_000).default(20),
  /** Live streams one process holds open in all; past either cap a client gets 429 and polls. */
  SSE_MAX_STREAMS: positiveInt(1, 1_000_000).default(2000),

  /**
   * The request header that carries the client's address, set by a proxy you trust (for
   * example "x-real-ip"). Only this header splits the per-client limits by address; unset,
   * clients without a key or owner cookie share one bucket. On Vercel: "x-real-ip".
   */
  TRUSTED_CLIENT_IP_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, "must be a header name such as x-real-ip")
    .transform((value) => value.toLowerCase())
    .optional(),

  /** Comma-separated API keys; listing and deleting jobs need one (Authorization: Bearer). */
  API_KEYS: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(",").map((key) => key.trim()).filter(Boolean)),
  /** Origins allowed to call the JSON API's write routes from a browser ("*" for any). */
  CORS_ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(",").map((origin) => origin.trim()).filter(Boolean)),
  /** Secret for signing webhooks, shared with receivers: "whsec_" + base64 (Standard Webhooks). */
  WEBHOOK_SECRET: z
    .string()
    .refine(isStandardWebhookSecret, {
      message: `must be "whsec_" followed by the base64 of at least ${MIN_WEBHOOK_KEY_BYTES} random bytes, as Standard Webhooks libraries expect; make one with: ${MAKE_WEBHOOK_SECRET}`,
    })
    .optional(),
  /** Allow callback URLs on private or loopback addresses (for local development only). */
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(["1", "0", "true", "false"])
    .optional()
    .transform((value) => value === "1" || value === "true"),

  /**
   * Map tiles for the trip page's day maps: an http(s) URL template with {z}, {x} and {y}
   * ({s} for a subdomain). The page's Content-Security-Policy allows this host's images.
   */
  MAP_TILE_URL: z
    .string()
    .regex(/^https?:\/\/[^/\s]+\/\S*\{z\}\S*\{x\}\S*\{y\}\S*$/, "must be an http(s) URL template with {z}, {x} and {y}")
    .default("https://tile.openstreetmap.org/{z}/{x}/{y}.png"),

  /** Log verbosity; lines go to stdout as JSON (or readable text in development). */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** "json" (one object a line) or "pretty" (readable text); unset → pretty in development only. */
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),

  /** Set to 1 by Vercel on its build machines and functions: a serverless host. */
  VERCEL: z
    .string()
    .optional()
    .transform((value) => value !== undefined && value !== "0"),

  INNGEST_DEV: z.string().min(1).optional(),
  INNGEST_EVENT_KEY: z.string().min(1).optional(),
  INNGEST_SIGNING_KEY: z.string().min(1).optional(),
  /**
   * A self-hosted Inngest's URL (read by the Inngest SDK itself); INNGEST_API_BASE_URL
   * overrides it for the API alone. The trip page's Content-Security-Policy lets browsers
   * open Inngest Realtime's WebSocket there.
   */
  INNGEST_BASE_URL: z.url().optional(),
  INNGEST_API_BASE_URL: z.url().optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable this module reads (the README's table and .env.example list them all). */
export const ENV_VARIABLE_NAMES = Object.keys(envSchema.shape) as Array<keyof Env>;

export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid environment configuration:\n${issues.map((line) => `  - ${line}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parses an environment record; empty strings count as unset (as in most .env files). */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ""),
  );
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${issue.message}`),
    );
  }
  return result.data;
}

export function env(): Env {
  return processSingleton("env", () => parseEnv(process.env));
}

/** Test hook: forget the parsed environment so the next `env()` reads it again. */
export function resetEnvCache(): void {
  replaceProcessSingleton("env", undefined);
}

export type JobRunnerKind = "inngest" | "local";

/** True when INNGEST_DEV points the client at the Inngest dev server ("0" turns it off). */
export function usesInngestDevServer(config: Env = env()): boolean {
  return config.INNGEST_DEV !== undefined && config.INNGEST_DEV !== "0";
}

/**
 * JOB_RUNNER when set; otherwise Inngest when it is configured (the dev server, or either
 * Cloud key: a half-configured Cloud is refused at start-up rather than quietly run
 * locally), the in-process runner otherwise.
 */
export function jobRunnerKind(config: Env = env()): JobRunnerKind {
  if (config.JOB_RUNNER) return config.JOB_RUNNER;
  const configured = usesInngestDevServer(config) || config.INNGEST_EVENT_KEY || config.INNGEST_SIGNING_KEY;
  return configured ? "inngest" : "local";
}

/**
 * The origin browsers open Inngest Realtime's WebSocket on (ws: or wss:), as the Inngest
 * SDK picks its API URL: the dev server's URL, INNGEST_API_BASE_URL, INNGEST_BASE_URL, then
 * the dev server's default or Inngest Cloud. Null on the local runner.
 */
export function realtimeSocketOrigin(config: Env = env()): string | null {
  if (jobRunnerKind(config) !== "inngest") return null;
  const devServer = usesInngestDevServer(config);
  const devUrl = devServer && config.INNGEST_DEV?.startsWith("http") ? config.INNGEST_DEV : undefined;
  const base =
    devUrl ??
    config.INNGEST_API_BASE_URL ??
    config.INNGEST_BASE_URL ??
    (devServer ? "http://localhost:8288/" : "https://api.inngest.com/");
  const url = new URL(base);
  return `${url.protocol === "http:" ? "ws:" : "wss:"}//${url.host}`;
}
