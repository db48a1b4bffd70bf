import { NonRetriableError, RetryAfterError } from "inngest";
import { describe, expect, it, vi } from "vitest";
import { LocalRunner, type JobHandler, type LocalRunnerOptions, type StepStore } from "@/lib/jobs/local-runner";

const JOB = "job-1";

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

/** An in-memory step store, shared between runners the way the job_steps table is. */
function memoryStore() {
  const jobs = new Map<string, Map<string, unknown>>();
  const saved: Array<{ stepId: string; attempts: number }> = [];
  const store: StepStore = {
    load: async ({ id: jobId }) => new Map(jobs.get(jobId) ?? []),
    save: async ({ id: jobId }, stepId, output, attempts) => {
      if (!jobs.has(jobId)) jobs.set(jobId, new Map());
      jobs.get(jobId)!.set(stepId, output);
      saved.push({ stepId, attempts });
    },
  };
  return { store, jobs, saved };
}

function runner(options: Partial<LocalRunnerOptions> & Pick<LocalRunnerOptions, "handler">) {
  const onFailure = vi.fn<(data: { id: string }, error: unknown) => Promise<void>>(async () => {});
  const delays: number[] = [];
  const local = new LocalRunner({
    store: memoryStore().store,
    onFailure,
    maxAttempts: 5,
    retryBaseMs: 100,
    random: () => 0.5,
    sleep: async (ms) => void delays.push(ms),
    ...options,
  });
  return { local, onFailure, delays };
}

/** A handler with one step whose body is `fn`. */
const oneStep = (fn: () => Promise<unknown>): JobHandler => ({ step }) => step.run("only", fn);

describe("LocalRunner: memoized steps", () => {
  it("does not run a step whose output is already stored, and hands back the stored value", async () => {
    const { store, jobs } = memoryStore();
    jobs.set(JOB, new Map<string, unknown>([["outline", { days: [1, 2] }]]));
    const outlineFn = vi.fn(async () => ({ days: [9] }));
    const seen: unknown[] = [];
    const { local } = runner({
      store,
      handler: async ({ step }) => {
        seen.push(await step.run("outline", outlineFn));
        seen.push(await step.run("stamp", async () => ({ at: new Date(0) })));
      },
    });
    expect(await local.start({ id: JOB })).toBe("completed");
    expect(outlineFn).not.toHaveBeenCalled();
    // Fresh outputs are JSON round-tripped, so a resumed run would see exactly the same value.
    expect(seen).toEqual([{ days: [1, 2] }, { at: new Date(0).toISOString() }]);
    expect(jobs.get(JOB)?.get("stamp")).toEqual({ at: new Date(0).toISOString() });
  });

  it("does not read the store for a fresh job, whose steps cannot be memoized yet", async () => {
    const { store, jobs } = memoryStore();
    jobs.set(JOB, new Map<string, unknown>([["only", "left by an earlier run"]]));
    const load = vi.spyOn(store, "load");
    const fn = vi.fn(async () => "ran");
    const { local } = runner({ store, handler: oneStep(fn) });

    expect(await local.start({ id: JOB }, { fresh: true })).toBe("completed");
    expect(load).not.toHaveBeenCalled();
    expect(fn).toHaveBeenCalledTimes(1);

    // A later start (a resume) reads the store and replays what this run saved.
    expect(await local.start({ id: JOB })).toBe("completed");
    expect(load).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("resumes after a crash without repeating finished steps", async () => {
    const { store, saved } = memoryStore();
    const calls: string[] = [];
    const step3Hanging = deferred();
    let healthy = false;
    const handler: JobHandler = async ({ step }) => {
      const a = await step.run("step-1", async () => (calls.push("step-1"), 1));
      const b = await step.run("step-2", async () => (calls.push("step-2"), 2));
      const c = await step.run("step-3", async () => {
        calls.push("step-3");
        if (!healthy) {
          step3Hanging.resolve();
          await new Promise(() => {}); // the process "dies" here
        }
        return 3;
      });
      return a + b + c;
    };
    const first = runner({ handler, store });
    void first.local.start({ id: JOB }); // abandoned: never settles
    await step3Hanging.promise;
    expect(saved.map((entry) => entry.stepId)).toEqual(["step-1", "step-2"]);

    healthy = true;
    const second = runner({ handler, store });
    expect(await second.local.start({ id: JOB })).toBe("completed");
    expect(calls).toEqual(["step-1", "step-2", "step-3", "step-3"]);
    expect(saved.map((entry) => entry.stepId)).toEqual(["step-1", "step-2", "step-3"]);
    expect(first.onFailure).not.toHaveBeenCalled();
    expect(second.onFailure).not.toHaveBeenCalled();
  });
});

describe("LocalRunner: retries", () => {
  it("backs off exponentially with jitter, and records the attempt that succeeded", async () => {
    const { store, saved } = memoryStore();
    let attempt = 0;
    const { local, delays, onFailure } = runner({
      store,
      handler: oneStep(async () => {
        attempt += 1;
        if (attempt < 5) throw new Error(`flaky ${attempt}`);
        return "ok";
      }),
    });
    expect(await local.start({ id: JOB })).toBe("completed");
    expect(delays).toEqual([100, 200, 400, 800]);
    expect(saved).toEqual([{ stepId: "only", attempts: 5 }]);
    expect(onFailure).not.toHaveBeenCalled();
  });

  it("jitters each wait between half and one and a half times the base, capped by retryMaxMs", async () => {
    const fail = oneStep(async () => {
      throw new Error("down");
    });
    const low = runner({ handler: fail, random: () => 0 });
    await low.local.start({ id: JOB });
    expect(low.delays).toEqual([50, 100, 200, 400]);
    const high = runner({ handler: fail, random: () => 0.999999 });
    await high.local.start({ id: JOB });
    expect(high.delays).toEqual([150, 300, 600, 1200]);
    const capped = runner({ handler: fail, retryMaxMs: 250 });
    await capped.local.start({ id: JOB });
    expect(capped.delays).toEqual([100, 200, 250, 250]);
  });

  it("gives up after maxAttempts and calls onFailure once with the last error", async () => {
    const errors: Error[] = [];
    const fn = vi.fn(async () => {
      const error = new Error(`attempt ${errors.length + 1} failed`);
      errors.push(error);
      throw error;
    });
    const { local, onFailure, delays } = runner({ handler: oneStep(fn), maxAttempts: 5 });
    expect(await local.start({ id: JOB })).toBe("failed");
    expect(fn).toHaveBeenCalledTimes(5);
    expect(delays).toHaveLength(4);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(onFailure).toHaveBeenCalledWith({ id: JOB }, errors[4]);
  });

  it("does not retry a NonRetriableError", async () => {
    const error = new NonRetriableError("bad credentials");
    const fn = vi.fn(async () => {
      throw error;
    });
    const { local, onFailure, delays } = runner({ handler: oneStep(fn) });
    expect(await local.start({ id: JOB })).toBe("failed");
    expect(fn).toHaveBeenCalledTimes(1);
    expect(delays).toEqual([]);
    expect(onFailure).toHaveBeenCalledExactlyOnceWith({ id: JOB }, error);
  });

  it("waits as long as a RetryAfterError asks (1234 ms, not 2 ms)", async () => {
    const hints = [new RetryAfterError("rate limited", 1234), new RetryAfterError("later", new Date(Date.now() + 5000))];
    const { local, delays } = runner({
      handler: oneStep(async () => {
        const hint = hints.shift();
        if (hint) throw hint;
        return "ok";
      }),
    });
    expect(await local.start({ id: JOB })).toBe("completed");
    expect(delays).toHaveLength(2);
    // Inngest keeps whole seconds, so 1234 ms may become 2000 ms; never less than asked.
    expect(delays[0]).toBeGreaterThanOrEqual(1234);
    expect(delays[0]).toBeLessThanOrEqual(2000);
    expect(delays[1]).toBeGreaterThan(3000);
    expect(delays[1]).toBeLessThanOrEqual(5000);
  });
});

describe("LocalRunner: cancellation and concurrency", () => {
  it("cancel() during a step: the next step never runs and onFailure is not called", async () => {
    const inStep1 = deferred();
    const release = deferred();
    const step2 = vi.fn(async () => 2);
    const { local, onFailure } = runner({
      handler: async ({ step }) => {
        await step.run("step-1", async () => {
          inStep1.resolve();
          await release.promise;
          return 1;
        });
        await step.run("step-2", step2);
      },
    });
    const outcome = local.start({ id: JOB });
    await inStep1.promise;
    expect(local.cancel(JOB)).toBe(true);
    release.resolve();
    expect(await outcome).toBe("cancelled");
    expect(step2).not.toHaveBeenCalled();
    expect(onFailure).not.toHaveBeenCalled();
    expect(local.cancel(JOB)).toBe(false);
  });

  it("cancel() during a backoff wait stops at once", async () => {
    const sleeping = deferred();
    const fn = vi.fn(async () => {
      throw new Error("down");
    });
    // The real, abortable sleep with a one-minute backoff.
    const local = new LocalRunner({
      handler: oneStep(fn),
      onFailure: vi.fn(async () => {}),
      store: memoryStore().store,
      maxAttempts: 5,
      retryBaseMs: 60_000,
      logger: {
        info: () => {},
        error: () => {},
        warn: (_fields, message) => {
          if (message.includes("retrying in")) sleeping.resolve();
        },
      },
    });
    const started = Date.now();
    const outcome = local.start({ id: JOB });
    await sleeping.promise;
    local.cancel(JOB);
    expect(await outcome).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("start() twice for the same job returns the same run", async () => {
    const release = deferred();
    const handler = vi.fn<JobHandler>(async ({ step }) => step.run("only", () => release.promise));
    const { local } = runner({ handler });
    const first = local.start({ id: JOB });
    const second = local.start({ id: JOB });
    expect(second).toBe(first);
    expect(local.activeJobIds).toEqual([JOB]);
    release.resolve();
    expect(await first).toBe("completed");
    expect(handler).toHaveBeenCalledTimes(1);
    expect(local.activeJobIds).toEqual([]);
  });

  it("runs steps awaited together with Promise.all concurrently", async () => {
    let running = 0;
    let peak = 0;
    const { local } = runner({
      handler: async ({ step }) =>
        Promise.all(
          [1, 2, 3, 4].map((day) =>
            step.run(`day-${day}`, async () => {
              running += 1;
              peak = Math.max(peak, running);
              await new Promise((resolve) => setTimeout(resolve, 20));
              running -= 1;
              return day;
            }),
          ),
        ),
    });
    expect(await local.start({ id: JOB })).toBe("completed");
    expect(peak).toBe(4);
  });
});
