import "server-only";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { jobRunnerKind } from "@/lib/env";
import { logger } from "@/lib/logger";
import { currentStep } from "@/lib/step-context";

// A write that follows a model call must not lose the answer when the database is briefly
// away: it is kept in memory and the write retried (capped backoff) until the database
// answers. Otherwise the step would fail, be retried, and pay for the same call again.

const FIRST_WAIT_MS = 250;
const LONGEST_WAIT_MS = 5_000;

/** How long a write waits for the database: long in-process; within one request under Inngest. */
export function outageWaitLimitMs(): number {
  return jobRunnerKind() === "inngest" ? 60_000 : 10 * 60_000;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Runs `write`, again and again while the database is unreachable, up to the wait limit. */
export async function untilDatabaseAnswers<T>(write: () => Promise<T>, limitMs: number = outageWaitLimitMs()): Promise<T> {
  const deadline = Date.now() + limitMs;
  const signal = currentStep()?.signal;
  for (let wait = FIRST_WAIT_MS; ; wait = Math.min(LONGEST_WAIT_MS, wait * 2)) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + wait > deadline || signal?.aborted) throw error;
      const step = currentStep();
      logger("jobs").warn(
        { jobId: step?.jobId, step: step?.step, attempt: step?.attempt, waitMs: wait },
        "the database is unreachable; keeping the result and trying again",
      );
      await sleep(wait, signal);
    }
  }
}
