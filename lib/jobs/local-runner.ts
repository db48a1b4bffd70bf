import { NonRetriableError, RetryAfterError } from "inngest";
import { runInStep } from "@/lib/step-context";
import type { StepTools } from "@/lib/workflow/types";

// The in-process runner: executes the same handler Inngest would, on one machine. Each
// step's output is memoized (in job_steps) so a resumed job skips finished steps; a failing
// step is retried with exponential backoff and jitter; a job that runs out of attempts goes
// to the same failure handler; cancellation is honoured between steps and between attempts.

/** The event data of a run: at least the job it works on. */
export type RunData = { id: string };

export type JobHandler<Data extends RunData = RunData> = (context: {
  event: { data: Data };
  step: StepTools;
}) => Promise<unknown>;

/** The part of a (pino) logger the runner writes to: fields first, then the message. */
export interface RunnerLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface StepStore<Data extends RunData = RunData> {
  load(data: Data): Promise<Map<string, unknown>>;
  save(data: Data, stepId: string, output: unknown, attempts: number): Promise<void>;
}

export interface LocalRunnerOptions<Data extends RunData = RunData> {
  handler: JobHandler<Data>;
  onFailure: (data: Data, error: unknown) => Promise<unknown>;
  store: StepStore<Data>;
  /** Which runs are one: a second start with the same key joins the first. The job id by default. */
  runKey?: (data: Data) => string;
  maxAttempts: number;
  retryBaseMs: number;
  /** Ceiling for one backoff wait. */
  retryMaxMs?: number;
  /**
   * True for a failure of the infrastructure rather than of the step (the database is
   * unreachable): the step waits and tries again without spending an attempt, for up to
   * `outageLimitMs`.
   */
  isOutage?: (error: unknown) => boolean;
  outageLimitMs?: number;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  logger?: RunnerLogger;
}

/** Longest wait between two tries of a step while the database is unreachable. */
const OUTAGE_WAIT_CEILING_MS = 5_000;

export class JobCancelledError extends Error {
  constructor(jobId: string) {
    super(`Job ${jobId} was cancelled.`);
    this.name = "JobCancelledError";
  }
}

export type JobOutcome = "completed" | "failed" | "cancelled";

export interface StartOptions {
  /**
   * Nothing is memoized for this job yet (it was just created, or reopened with its steps
   * cleared), so the run need not read the store before its first step.
   */
  fresh?: boolean;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function retryAfterMs(error: RetryAfterError, now: number): number {
  // RetryAfterError keeps a number as whole seconds in a string ("2" for 1234 ms).
  const seconds = Number(error.retryAfter);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(error.retryAfter);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}

const isNonRetriable = (error: unknown) =>
  error instanceof NonRetriableError ||
  (error instanceof Error && error.name === "NonRetriableError");

export class LocalRunner<Data extends RunData = RunData> {
  private readonly jobs = new Map<string, { controller: AbortController; done: Promise<JobOutcome> }>();
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: LocalRunnerOptions<Data>) {
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
  }

  /** Keys of the runs in progress (job ids, unless runKey says otherwise). */
  get activeJobIds(): string[] {
    return [...this.jobs.keys()];
  }

  private keyOf(data: Data): string {
    return this.options.runKey?.(data) ?? data.id;
  }

  /** Starts a run, or returns the one already in progress for its key (never two runs). */
  start(data: Data, { fresh = false }: StartOptions = {}): Promise<JobOutcome> {
    const key = this.keyOf(data);
    const running = this.jobs.get(key);
    if (running) return running.done;
    const controller = new AbortController();
    const done = this.execute(data, controller.signal, fresh).finally(() => this.jobs.delete(key));
    this.jobs.set(key, { controller, done });
    return done;
  }

  /** Starts a run once any run with its key in progress here has ended (a retry after a cancel). */
  async startAfterCurrent(data: Data, options: StartOptions = {}): Promise<JobOutcome> {
    await this.jobs.get(this.keyOf(data))?.done;
    return this.start(data, options);
  }

  /** Stops a run before its next step or attempt, aborting calls in flight. False if it was not running. */
  cancel(key: string): boolean {
    const running = this.jobs.get(key);
    if (!running) return false;
    running.controller.abort(new JobCancelledError(key));
    return true;
  }

  /** Waits for every running job (tests, graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.jobs.values()].map((job) => job.done));
  }

  private async execute(data: Data, signal: AbortSignal, fresh: boolean): Promise<JobOutcome> {
    const jobId = data.id;
    try {
      const memo = fresh ? new Map<string, unknown>() : await this.options.store.load(data);
      const step: StepTools = {
        run: <T>(stepId: string, fn: () => Promise<T>) => this.runStep(data, stepId, fn, memo, signal),
      };
      await this.options.handler({ event: { data }, step });
      return "completed";
    } catch (error) {
      const log = this.options.logger;
      if (signal.aborted) {
        log?.info({ jobId }, "job cancelled");
        return "cancelled";
      }
      log?.error({ jobId, err: error }, "job failed");
      try {
        await this.options.onFailure(data, error);
      } catch (failureError) {
        log?.error({ jobId, err: failureError }, "job failure handler threw");
      }
      return "failed";
    }
  }

  private async runStep<T>(
    data: Data,
    stepId: string,
    fn: () => Promise<T>,
    memo: Map<string, unknown>,
    signal: AbortSignal,
  ): Promise<T> {
    if (memo.has(stepId)) return memo.get(stepId) as T;
    const jobId = data.id;
    const outageDeadline = Date.now() + (this.options.outageLimitMs ?? 10 * 60_000);
    let outageWait = this.options.retryBaseMs;
    for (let attempt = 1; ; attempt += 1) {
      signal.throwIfAborted();
      try {
        const output = await runInStep({ jobId, step: stepId, attempt, signal }, fn);
        // Round-trip through JSON so a fresh run and a resumed run see the same values.
        const stored = output === undefined ? null : (JSON.parse(JSON.stringify(output)) as T);
        await this.options.store.save(data, stepId, stored, attempt);
        memo.set(stepId, stored);
        return stored as T;
      } catch (error) {
        if (!signal.aborted && this.options.isOutage?.(error) && Date.now() + outageWait < outageDeadline) {
          this.options.logger?.warn(
            { jobId, step: stepId, attempt, delayMs: outageWait, err: error },
            `the database is unreachable; trying the step again in ${outageWait} ms (not counted as an attempt)`,
          );
          await this.sleep(outageWait, signal);
          outageWait = Math.min(this.options.retryMaxMs ?? 5 * 60_000, OUTAGE_WAIT_CEILING_MS, outageWait * 2);
          attempt -= 1;
          continue;
        }
        if (signal.aborted || isNonRetriable(error) || attempt >= this.options.maxAttempts) {
          throw error;
        }
        const delay = this.backoff(attempt, error);
        this.options.logger?.warn(
          { jobId, step: stepId, attempt, delayMs: delay, err: error },
          `step attempt failed; retrying in ${delay} ms`,
        );
        await this.sleep(delay, signal);
      }
    }
  }

  /** Exponential backoff with full jitter around the base; a provider's Retry-After wins. */
  private backoff(attempt: number, error: unknown): number {
    const ceiling = this.options.retryMaxMs ?? 5 * 60_000;
    if (error instanceof RetryAfterError) return Math.min(ceiling, retryAfterMs(error, Date.now()));
    const exponential = this.options.retryBaseMs * 2 ** (attempt - 1);
    const jittered = exponential * (0.5 + this.random());
    return Math.round(Math.min(ceiling, jittered));
  }
}
