import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openEventStream } from "../helpers/event-stream";
import { migratePostgres, startTemporaryPostgres, type TemporaryPostgres } from "../helpers/postgres";

// The change feed on PostgreSQL: a change made by another process reaches this one through
// LISTEN/NOTIFY, and a live stream that hears of no change reads nothing from the database
// (it used to re-read its job every second).

process.env.JOB_RUNNER = "local";
process.env.DEMO_MODEL_LATENCY_MS = "60000";

// Every statement any pg client of this process sends, counted.
const statements = vi.hoisted(() => ({ count: 0 }));
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements.count += 1;
  return (originalQuery as (...forwarded: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

let postgres: TemporaryPostgres;
let other: pg.Client;
let app: {
  feed: typeof import("@/lib/live/changes");
  events: typeof import("@/app/api/itineraries/[id]/events/route");
  queries: typeof import("@/lib/db/queries/itineraries");
};

beforeAll(async () => {
  postgres = await startTemporaryPostgres();
  await migratePostgres(postgres.url);
  process.env.DATABASE_URL = postgres.url;
  (await import("@/lib/env")).resetEnvCache();
  app = {
    feed: await import("@/lib/live/changes"),
    events: await import("@/app/api/itineraries/[id]/events/route"),
    queries: await import("@/lib/db/queries/itineraries"),
  };
  // Another process on the same database.
  other = new pg.Client({ connectionString: postgres.url });
  await other.connect();
  await vi.waitFor(() => expect(app.feed.changeFeedIsLive()).toBe(true), { timeout: 10_000 });
}, 120_000);

afterAll(async () => {
  await other?.end();
  await app?.feed.stopChangeFeed();
  await (await import("@/lib/db/client")).closeDb();
  await postgres?.stop();
});

const processingJob = () =>
  app.queries.insertItinerary({
    destination: "Ghent, Belgium",
    durationDays: 2,
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    interests: [],
    model: "demo model",
    requestHash: `feed-${crypto.randomUUID()}`,
  });

/** What another process does after it changed a job. */
const notifyFromElsewhere = (id: string) => other.query("select pg_notify('itinera_changes', $1)", [`another-process:${id}`]);

describe("the change feed on PostgreSQL", () => {
  it("hears a change announced by another process at once", async () => {
    const job = await processingJob();
    const heard = app.feed.waitForItineraryChange(job.id, 10_000);
    await notifyFromElsewhere(job.id);
    const started = performance.now();
    expect(await heard).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("keeps a quiet live stream from reading the database, and sends the change another process made", async () => {
    const job = await processingJob();
    const abort = new AbortController();
    const stream = await openEventStream(app.events, job.id, abort.signal);
    expect(await stream.readUntil(/event: snapshot/)).toBe(true);

    statements.count = 0;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(statements.count).toBe(0);

    await other.query("update itineraries set progress = 42, updated_at = now() where id = $1", [job.id]);
    await notifyFromElsewhere(job.id);
    expect(await stream.readUntil(/"progress":42/)).toBe(true);
    abort.abort();
    await stream.cancel();
  }, 30_000);

  it("has the streams one change wakes share their reads of the job", async () => {
    const job = await processingJob();
    const abort = new AbortController();
    const streams = await Promise.all(Array.from({ length: 20 }, () => openEventStream(app.events, job.id, abort.signal)));
    await Promise.all(streams.map((stream) => stream.readUntil(/event: snapshot/)));

    statements.count = 0;
    await other.query("update itineraries set progress = 61, updated_at = now() where id = $1", [job.id]);
    await notifyFromElsewhere(job.id);
    const seen = await Promise.all(streams.map((stream) => stream.readUntil(/"progress":61/)));
    expect(seen.every(Boolean)).toBe(true);
    // The other process's update and notify, then one read of the row and one of the job
    // with its days for all twenty streams (each read its own: 40).
    expect(statements.count).toBeLessThanOrEqual(4);
    abort.abort();
    await Promise.all(streams.map((stream) => stream.cancel()));
  }, 30_000);
});
