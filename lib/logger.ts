import pino, { type Logger } from "pino";
import { env, type Env } from "@/lib/env";
import { prettyLogLine } from "./log-format";
import { processSingleton } from "./singleton";

// One logger for the server: JSON lines on stdout (what Vercel, containers and log
// collectors read), or readable lines in development. It writes synchronously to stdout
// rather than through pino's worker-thread transports, which Next's bundler cannot follow
// and which lose the last lines when a process exits on a start-up refusal.
//
// What goes in: ids, step names, counts, timings, our own messages. What never does: keys,
// provider response bodies, a traveller's free text (only the destination may be logged).
// Errors are reduced by `errorFields` for that reason.

export type { Logger };

type Sink = (line: string) => void;

/** The root logger, its children per component, and where lines go (stdout, or a test's sink). */
interface LogState {
  root?: Logger;
  children: Map<string, Logger>;
  sink?: Sink;
}

const state = () => processSingleton<LogState>("logger", () => ({ children: new Map() }));

const writeToStdout: Sink = (line) => {
  process.stdout.write(line);
};

/** The logger settings from env; the defaults when env itself is invalid (that is logged too). */
function logSettings(): Pick<Env, "LOG_LEVEL"> & { pretty: boolean } {
  let config: Pick<Env, "LOG_LEVEL" | "LOG_FORMAT" | "NODE_ENV">;
  try {
    config = env();
  } catch {
    config = { LOG_LEVEL: "info", LOG_FORMAT: undefined, NODE_ENV: "production" };
  }
  const format = config.LOG_FORMAT ?? (config.NODE_ENV === "development" ? "pretty" : "json");
  return { LOG_LEVEL: config.LOG_LEVEL, pretty: format === "pretty" };
}

const firstLine = (text: string) => (text.split("\n", 1)[0] ?? "").slice(0, 500);

/**
 * What a log line keeps of an error: its name, the first line of its message and any code
 * or status. Later lines are dropped because drivers append query parameters there (which
 * may hold a traveller's words); causes are named but not quoted, because a provider's
 * error message may echo the API key back.
 */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: firstLine(String(error)) };
  const fields: Record<string, unknown> = { type: error.name, message: firstLine(error.message) };
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === "string" || typeof code === "number") fields.code = code;
  if (typeof statusCode === "number") fields.statusCode = statusCode;
  if (error.cause instanceof Error) {
    const cause = error.cause as Error & { code?: unknown; statusCode?: unknown };
    fields.cause = {
      type: cause.name,
      ...(typeof cause.code === "string" ? { code: cause.code } : {}),
      ...(typeof cause.statusCode === "number" ? { statusCode: cause.statusCode } : {}),
    };
  }
  return fields;
}

/** The call frames of an error's stack, without its message (see errorFields). */
export function stackFrames(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  const frames = error.stack.split("\n").filter((line) => line.trimStart().startsWith("at "));
  return frames.slice(0, 12).join("\n") || undefined;
}

function createRootLogger(): Logger {
  const { LOG_LEVEL, pretty } = logSettings();
  const destination = {
    write(line: string) {
      (state().sink ?? writeToStdout)(pretty ? prettyLogLine(line) : line);
    },
  };
  return pino(
    {
      level: LOG_LEVEL,
      // No hostname: on Vercel and in containers it names nothing useful.
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: errorFields, error: errorFields },
    },
    destination,
  );
}

/** The logger for one part of the server: every line carries `component`. */
export function logger(component: string): Logger {
  const current = state();
  current.root ??= createRootLogger();
  let child = current.children.get(component);
  if (!child) {
    child = current.root.child({ component });
    current.children.set(component, child);
  }
  return child;
}

type LogLevelName = "debug" | "info" | "warn" | "error";
/** pino's call shapes: (fields, message), (message) or (error); forwarded as given. */
type LogMethod = (...args: unknown[]) => void;

/**
 * A logger for objects that outlive a logger rebuild (runners, the Inngest client): each
 * call looks up the current logger for `component`.
 */
export function deferredLogger(component: string): Record<LogLevelName, LogMethod> {
  const call =
    (level: LogLevelName): LogMethod =>
    (...args) =>
      (logger(component)[level] as (...forwarded: unknown[]) => void)(...args);
  return { debug: call("debug"), info: call("info"), warn: call("warn"), error: call("error") };
}

/**
 * Test hook: from now on log lines go to the returned array (and to `onLine`) instead of
 * stdout, and the loggers are built again from the current env (so a test's LOG_LEVEL
 * applies).
 */
export function captureLogsForTests(onLine?: (line: string) => void): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const current = state();
  current.root = undefined;
  current.children.clear();
  current.sink = (line) => {
    lines.push(line);
    onLine?.(line);
  };
  return {
    lines,
    restore() {
      current.sink = undefined;
    },
  };
}
