import { describe, expect, it } from "vitest";
import { Limiter } from "@/lib/llm/limiter";

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A task that can be finished from outside. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("Limiter", () => {
  it("never runs more than `limit` tasks at once under 100 concurrent submissions", async () => {
    const limit = 4;
    const limiter = new Limiter(limit);
    let running = 0;
    let observedPeak = 0;
    let finished = 0;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        limiter.run(async () => {
          running += 1;
          observedPeak = Math.max(observedPeak, running);
          expect(limiter.running).toBeLessThanOrEqual(limit);
          await wait(Math.floor(Math.random() * 4));
          running -= 1;
          finished += 1;
          return index * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 100 }, (_, index) => index * 2));
    expect(finished).toBe(100);
    expect(observedPeak).toBe(limit);
    expect(limiter.peakRunning).toBe(limit);
    expect(limiter.running).toBe(0);
  });

  it("starts waiting tasks in the order they were submitted", async () => {
    const limiter = new Limiter(3);
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        limiter.run(async () => {
          started.push(index);
          await wait(Math.floor(Math.random() * 3));
        }),
      ),
    );
    expect(started).toEqual(Array.from({ length: 30 }, (_, index) => index));
  });

  it("hands a freed slot to the longest waiter, not to a newcomer", async () => {
    const limiter = new Limiter(1);
    const first = deferred();
    const started: string[] = [];
    const running = limiter.run(async () => {
      started.push("first");
      await first.promise;
    });
    const queued = limiter.run(async () => {
      started.push("queued");
    });
    first.resolve();
    // Submitted the moment the slot frees: it must still wait its turn.
    const newcomer = running.then(() =>
      limiter.run(async () => {
        started.push("newcomer");
      }),
    );
    await Promise.all([running, queued, newcomer]);
    expect(started).toEqual(["first", "queued", "newcomer"]);
  });

  it("a throwing task releases its slot and its error reaches the caller", async () => {
    const limiter = new Limiter(1);
    const failing = limiter.run(async () => {
      await wait(1);
      throw new Error("boom");
    });
    const next = limiter.run(async () => "ran");
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ran");
    expect(limiter.running).toBe(0);

    // A synchronous throw inside the task body is released too.
    await expect(
      limiter.run(() => {
        throw new Error("sync boom");
      }),
    ).rejects.toThrow("sync boom");
    await expect(limiter.run(async () => "still works")).resolves.toBe("still works");
    expect(limiter.running).toBe(0);
  });

  it("keeps capacity after many failures", async () => {
    const limiter = new Limiter(2);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) =>
        limiter.run(async () => {
          await wait(1);
          if (index % 2 === 0) throw new Error(`task ${index}`);
          return index;
        }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === "rejected")).toHaveLength(10);
    expect(limiter.running).toBe(0);
    expect(limiter.peakRunning).toBe(2);
  });

  it("serves waiting high-priority tasks before normal ones, each in arrival order", async () => {
    const limiter = new Limiter(1);
    const started: string[] = [];
    let release!: () => void;
    const blocker = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const tasks = [
      limiter.run(async () => void started.push("outline-a")),
      limiter.run(async () => void started.push("day-a1"), "high"),
      limiter.run(async () => void started.push("outline-b")),
      limiter.run(async () => void started.push("day-a2"), "high"),
    ];
    release();
    await Promise.all([blocker, ...tasks]);
    expect(started).toEqual(["day-a1", "day-a2", "outline-a", "outline-b"]);
    expect(limiter.peakRunning).toBe(1);
  });

  it("rejects a limit below 1 or a fraction", () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
    expect(() => new Limiter(1.5)).toThrow(RangeError);
  });
});
