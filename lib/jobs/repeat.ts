import { logger } from "@/lib/logger";

// Housekeeping timers of the local runner (the sweeper, expiry): one per name and process,
// kept on globalThis so a hot reload in development does not stack a second one, and
// unref'd so they never keep a process alive on their own.

const store = globalThis as unknown as { __itineraTimers?: Map<string, ReturnType<typeof setInterval>> };

const timers = () => (store.__itineraTimers ??= new Map());

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
