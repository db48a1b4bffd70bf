/** How urgent a queued task is: "high" tasks are served before any "normal" one. */
export type LimiterPriority = "high" | "normal";

/**
 * A counting semaphore: at most `limit` tasks run at once; the rest wait, high priority
 * first, each priority in FIFO order.
 */
export class Limiter {
  private active = 0;
  private peak = 0;
  private readonly waiting: Record<LimiterPriority, Array<() => void>> = { high: [], normal: [] };

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be ≥ 1");
  }

  get running() {
    return this.active;
  }

  /** Highest number of tasks seen running at once. */
  get peakRunning() {
    return this.peak;
  }

  async run<T>(task: () => Promise<T>, priority: LimiterPriority = "normal"): Promise<T> {
    if (this.active < this.limit) {
      this.active += 1;
    } else {
      // A finishing task hands its slot straight to us, so no newcomer can slip in between.
      await new Promise<void>((resolve) => this.waiting[priority].push(resolve));
    }
    this.peak = Math.max(this.peak, this.active);
    try {
      return await task();
    } finally {
      const next = this.waiting.high.shift() ?? this.waiting.normal.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
