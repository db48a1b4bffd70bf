import { beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDatabase } from "../helpers/database";

// No job stays `processing` forever: the sweeper resumes stuck local jobs, fails jobs the
// Inngest runner lost, and fails anything past the maximum age — each with a reason.

process.env.JOB_RUNNER = "local";
process.env.DEMO_MODEL_LATENCY_MS = "0";
process.env.JOB_STALE_AFTER_SECONDS = "600";
process.env.JOB_MAX_AGE_SECONDS = "3600";

const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
const { sweepStaleJobs, tooOldMessage, lostMessage, lostRevisionMessage } = await import("@/lib/jobs/sweeper");
const { localRunner, revisionRunner } = await import("@/lib/jobs/local-functions");
const { requestDayRevision } = await import("@/lib/db/queries/revisions");
const { dayStateOf } = await import("@/lib/domain/revision");
const { insertItinerary, findItineraryById } = await import("@/lib/db/queries/itineraries");
const { itineraries } = await import("@/lib/db/schema");

let db: Awaited<ReturnType<typeof createTestDatabase>>["db"];
const NOW = new Date("2030-06-01T12:00:00.000Z");
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

beforeAll(async () => {
  ({ db } = await createTestDatabase());
});

async function job(destination: string, createdMinutesAgo: number, updatedMinutesAgo: number) {
  const row = await insertItinerary({
    destination,
    durationDays: 2,
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    model: "demo model",
    requestHash: destination,
  });
  await db
    .update(itineraries)
    .set({ createdAt: minutesAgo(createdMinutesAgo), updatedAt: minutesAgo(updatedMinutesAgo) })
    .where(eq(itineraries.id, row.id));
  return row.id;
}

describe("the stale-job sweeper", () => {
  it("with the local runner: resumes stuck jobs, fails jobs past the maximum age, leaves fresh ones", async () => {
    const stuck = await job("Stuck, Local", 30, 20);
    const ancient = await job("Ancient, Local", 120, 90);
    const fresh = await job("Fresh, Local", 5, 1);

    const result = await sweepStaleJobs({ now: NOW, runner: "local" });

    expect(result.resumed).toEqual([stuck]);
    expect(result.failed).toEqual([ancient]);
    const failed = await findItineraryById({ id: ancient });
    expect(failed?.status).toBe("failed");
    expect(failed?.error).toBe(tooOldMessage(3600));
    expect(failed?.error).toMatch(/60 minutes after it was requested/);

    // The resumed job really runs to the end; the fresh one was not touched by the sweep.
    await localRunner().drain();
    expect((await findItineraryById({ id: stuck }))?.status).toBe("completed");
    expect((await findItineraryById({ id: fresh }))?.status).toBe("processing");
  });

  it("does not start a second run of a job this process is already running", async () => {
    const id = await job("Busy, Local", 30, 20);
    const first = localRunner().start({ id: id });
    const result = await sweepStaleJobs({ now: NOW, runner: "local" });
    expect(result.resumed).not.toContain(id);
    await first;
  });

  it("with Inngest: fails a job that made no progress past the deadline, saying why", async () => {
    const lost = await job("Lost, Cloud", 40, 30);
    const result = await sweepStaleJobs({ now: NOW, runner: "inngest" });
    expect(result.failed).toContain(lost);
    expect(result.resumed).toEqual([]);
    const row = await findItineraryById({ id: lost });
    expect(row?.status).toBe("failed");
    expect(row?.error).toBe(lostMessage(600));
    expect(row?.error).toMatch(/no progress for 10 minutes/);
  });

  it("never touches jobs that already ended", async () => {
    const done = await job("Done, Local", 500, 400);
    await db.update(itineraries).set({ status: "completed" }).where(eq(itineraries.id, done));
    const result = await sweepStaleJobs({ now: NOW, runner: "inngest" });
    expect(result.failed).not.toContain(done);
    expect((await findItineraryById({ id: done }))?.status).toBe("completed");
  });

  /** A completed trip whose day 1 was asked to change `updatedMinutesAgo` minutes ago, and nothing happened since. */
  async function revisingTrip(destination: string, updatedMinutesAgo: number) {
    const id = await job(destination, 5, 5);
    expect(await localRunner().start({ id })).toBe("completed");
    const asked = await requestDayRevision({
      id,
      day: 1,
      instruction: "more food",
      idempotencyKey: null,
      changer: { ownerKey: null, openMode: true },
    });
    expect(asked.refused).toBeUndefined();
    await db.update(itineraries).set({ updatedAt: minutesAgo(updatedMinutesAgo) }).where(eq(itineraries.id, id));
    return id;
  }

  it("with Inngest: a day left revising past the deadline is marked failed, its plan unchanged", async () => {
    const lost = await revisingTrip("Lost Revision, Cloud", 30);
    const recent = await revisingTrip("Recent Revision, Cloud", 2);
    const before = (await findItineraryById({ id: lost }))?.itinerary;
    const result = await sweepStaleJobs({ now: NOW, runner: "inngest" });
    expect(result.revisions.failed).toEqual([`${lost}:day-1:revision-2`]);
    const row = await findItineraryById({ id: lost });
    expect(dayStateOf(row?.dayStates, 1)).toMatchObject({ state: "failed", revision: 1, error: lostRevisionMessage(600) });
    expect(row?.itinerary).toEqual(before);
    expect(row?.status).toBe("completed");
    expect(dayStateOf((await findItineraryById({ id: recent }))?.dayStates, 1).state).toBe("revising");
  });

  it("with the local runner: a day left revising past the deadline is revised again, and lands", async () => {
    const stuck = await revisingTrip("Stuck Revision, Local", 30);
    const result = await sweepStaleJobs({ now: NOW, runner: "local" });
    expect(result.revisions.resumed).toEqual([`${stuck}:day-1:revision-2`]);
    await revisionRunner().drain();
    expect(dayStateOf((await findItineraryById({ id: stuck }))?.dayStates, 1)).toMatchObject({ state: "ready", revision: 2 });
  });
});
