import { logger } from "@/lib/logger";
import { processSingleton } from "@/lib/singleton";

// Housekeeping timers of the local runner (the sweeper, expiry): one per name and process,
// so a hot reload in development does not stack a second one, and unref'd so they never
// keep a process alive on their own.

const timers = () => processSingleton("timers", () => new Map<string, ReturnType<typeof setInterval>>());

/** Runs `task` every `intervalMs`; false (and nothing new) if `name` is already scheduled. */
export function scheduleRepeating(name: string, intervalMs: number, task: () => Promise<unknown>): boolean {
  if (timers().has(name)) return false;
  const timer = setInterval(() => {
    task().catch((error: unknown) => logger(name).error({ err: error }, `${name} failed`));
  }, intervalMs);
  timer.unref();
  timers().set(name, timer);
  return true;
}

/** Stops a timer started by scheduleRepeating (tests, shutdown). */
export function stopRepeating(name: string): void {
  clearInterval(timers().get(name));
  timers().delete(name);
}
