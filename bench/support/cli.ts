import { parseArgs } from "node:util";

// Flags shared by the bench scripts (`npm run bench:pipeline -- --ttft-ms 300`).

export function readFlags<T extends Record<string, { type: "string" | "boolean"; default?: string | boolean }>>(
  options: T,
) {
  return parseArgs({ args: process.argv.slice(2), options, allowPositionals: true, strict: false }).values;
}

export function numberFlag(value: unknown, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) && parsed !== Infinity) throw new Error(`--${name} must be a number, got "${String(value)}"`);
  return parsed;
}

export function listFlag(value: unknown, fallback: number[], name: string): number[] {
  if (value === undefined || value === "") return fallback;
  return String(value)
    .split(",")
    .map((part) => numberFlag(part.trim(), Number.NaN, name));
}

const cleanups = new Set<() => Promise<unknown>>();

/**
 * Registers work to undo if the bench is interrupted (Ctrl-C, or the runner stopping it):
 * servers it started, folders it made. Returns a function that unregisters it.
 */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  if (cleanups.size === 0) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        void Promise.allSettled([...cleanups].map((run) => run())).then(() => process.exit(130));
      });
    }
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs a bench's main: a thrown error is printed and fails the process. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}

/** The flags of the benches that run the pipeline on a simulated model, read once. */
export function readModelFlags() {
  const flags = readFlags({
    "ttft-ms": { type: "string" },
    "tokens-per-second": { type: "string" },
    days: { type: "string" },
    "llm-concurrency": { type: "string" },
  });
  return {
    flags,
    model: {
      timeToFirstTokenMs: numberFlag(flags["ttft-ms"], 500, "ttft-ms"),
      tokensPerSecond: numberFlag(flags["tokens-per-second"], 60, "tokens-per-second"),
    },
    llmConcurrency: flags["llm-concurrency"] ? numberFlag(flags["llm-concurrency"], 0, "llm-concurrency") : undefined,
  };
}
