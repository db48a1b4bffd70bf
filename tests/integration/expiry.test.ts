import { InngestTestEngine } from "@inngest/test";
import { count, eq, inArray } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "../helpers/database";

// Jobs are deleted JOB_RETENTION_DAYS after they were requested, with their days and
// memoized steps: by a daily Inngest cron in production, by the local runner's timer on
// one machine. A job still processing is left alone, however old.

process.env.JOB_RETENTION_DAYS = "30";
process.env.JOB_RUNNER = "local";

const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
const { expireOldItineraries, scheduleExpiry, LOCAL_EXPIRY_INTERVAL_MS } = await import("@/lib/jobs/expiry");
const { stopRepeating } = await import("@/lib/jobs/repeat");
const { insertItinerary, findItineraryById } = await import("@/lib/db/queries/itineraries");
const { saveStepOutput } = await import("@/lib/db/queries/steps");
const { itineraries, itineraryDays, jobSteps } = await import("@/lib/db/schema");
const { expireOldItinerariesFunction } = await import("@/inngest/functions/expire-old-itineraries");

type Db = Awaited<ReturnType<typeof createTestDatabase>>["db"];
let db: Db;
const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date("2031-03-01T12:00:00.000Z");
const daysAgo = (days: number, from = NOW) => new Date(from.getTime() - days * DAY);

beforeAll(async () => {
  ({ db } = await createTestDatabase());
});

afterEach(() => {
  stopRepeating("expiry");
  vi.useRealTimers();
});

let counter = 0;
/** A job created `age` days before `from`, in `status`, with one stored day and one memoized step. */
async function job(status: "processing" | "completed" | "failed" | "cancelled", age: number, from = NOW) {
  counter += 1;
  const row = await insertItinerary({
    destination: `Expiry ${counter}`,
    durationDays: 1,
    pace: "balanced",
    budget: "moderate",
    travellers: 1,
    model: "demo model",
    requestHash: `expiry-${counter}`,
  });
  await db.update(itineraries).set({ status, createdAt: daysAgo(age, from) }).where(eq(itineraries.id, row.id));
  await db.insert(itineraryDays).values({ itineraryId: row.id, day: 1, plan: { day: 1, theme: "t", activities: [] } as never });
  await saveStepOutput({ jobId: row.id, stepId: "outline", output: { days: [1] }, attempts: 1 });
  return row.id;
}

async function exists(id: string) {
  return (await findItineraryById({ id })) !== null;
}

async function leftovers(ids: string[]) {
  const [days] = await db.select({ n: count() }).from(itineraryDays).where(inArray(itineraryDays.itineraryId, ids));
  const [steps] = await db.select({ n: count() }).from(jobSteps).where(inArray(jobSteps.jobId, ids));
  return { days: days?.n, steps: steps?.n };
}

describe("expireOldItineraries", () => {
  it("deletes ended jobs past the retention with their days and steps, and keeps the rest", async () => {
    const expired = [await job("completed", 31), await job("failed", 45), await job("cancelled", 400)];
    const recent = await job("completed", 29);
    const stillRunning = await job("processing", 60);

    const result = await expireOldItineraries({ now: NOW });

    expect(result).toEqual({ deleted: 3, cutoff: daysAgo(30).toISOString(), more: false });
    for (const id of expired) expect(await exists(id)).toBe(false);
    expect(await leftovers(expired)).toEqual({ days: 0, steps: 0 });
    expect(await exists(recent)).toBe(true);
    expect(await exists(stillRunning)).toBe(true);
    expect(await leftovers([recent])).toEqual({ days: 1, steps: 1 });
    // Nothing more is due: a second run deletes nothing.
    expect((await expireOldItineraries({ now: NOW })).deleted).toBe(0);
    await db.delete(itineraries).where(eq(itineraries.id, stillRunning));
  });

  it("works in batches and says when a run left some for the next one", async () => {
    for (let index = 0; index < 5; index += 1) await job("completed", 90);
    const first = await expireOldItineraries({ now: NOW, batchSize: 2, maxBatches: 2 });
    expect(first).toMatchObject({ deleted: 4, more: true });
    const second = await expireOldItineraries({ now: NOW, batchSize: 2, maxBatches: 2 });
    expect(second).toMatchObject({ deleted: 1, more: false });
  });

  it("keeps everything when JOB_RETENTION_DAYS is 0", async () => {
    const ancient = await job("completed", 10_000);
    expect(await expireOldItineraries({ now: NOW, retentionDays: 0 })).toEqual({ deleted: 0, cutoff: null, more: false });
    expect(await exists(ancient)).toBe(true);
    await expireOldItineraries({ now: NOW });
    expect(await exists(ancient)).toBe(false);
  });
});

describe("the expire-old-itineraries Inngest function", () => {
  it("runs daily as a cron, one run at a time", () => {
    expect(expireOldItinerariesFunction.id()).toBe("expire-old-itineraries");
    expect(expireOldItinerariesFunction.opts.triggers).toEqual([{ cron: "30 3 * * *" }]);
    expect(expireOldItinerariesFunction.opts.concurrency).toEqual({ limit: 1 });
  });

  it("deletes the expired jobs in one step", async () => {
    const now = new Date();
    const old = await job("completed", 31, now);
    const fresh = await job("completed", 1, now);
    const { result } = await new InngestTestEngine({ function: expireOldItinerariesFunction }).execute();
    expect(result).toMatchObject({ deleted: 1, more: false });
    expect(await exists(old)).toBe(false);
    expect(await exists(fresh)).toBe(true);
  });
});

describe("the local runner's expiry timer", () => {
  it("deletes expired jobs at once, then again every hour", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const now = new Date();
    const first = await job("failed", 40, now);
    scheduleExpiry();
    await vi.waitFor(async () => expect(await exists(first)).toBe(false));

    const second = await job("completed", 35, now);
    expect(await exists(second)).toBe(true);
    vi.advanceTimersByTime(LOCAL_EXPIRY_INTERVAL_MS);
    await vi.waitFor(async () => expect(await exists(second)).toBe(false));
  });

  it("is not doubled by a second schedule call (a hot reload)", async () => {
    const spy = vi.spyOn(globalThis, "setInterval");
    scheduleExpiry();
    scheduleExpiry();
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });
});
