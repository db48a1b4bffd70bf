import pg from "pg";
import { openEventStream } from "../tests/helpers/event-stream";
import { migratePostgres, startTemporaryPostgres } from "../tests/helpers/postgres";
import { numberFlag, readFlags, runMain } from "./support/cli";

// Live-update watchers on PostgreSQL: N open event streams of a job that does not change,
// for a while. Prints the database statements per watcher-second (what a quiet watcher
// costs) and how soon a change made by another process reaches every watcher.

const flags = readFlags({ watchers: { type: "string" }, seconds: { type: "string" } });
const WATCHERS = numberFlag(flags.watchers, 300, "watchers");
const SECONDS = numberFlag(flags.seconds, 10, "seconds");

Object.assign(process.env, { JOB_RUNNER: "local", LOG_LEVEL: "silent", DEMO_MODEL_LATENCY_MS: "60000" });

let statements = 0;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements += 1;
  return (originalQuery as (...forwarded: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

async function main() {
  const postgres = await startTemporaryPostgres();
  try {
    await migratePostgres(postgres.url);
    process.env.DATABASE_URL = postgres.url;
    (await import("@/lib/env")).resetEnvCache();
    const feed = await import("@/lib/live/changes");
    const events = await import("@/app/api/itineraries/[id]/events/route");
    const { insertItinerary } = await import("@/lib/db/queries/itineraries");
    const { closeDb } = await import("@/lib/db/client");
    feed.changeFeedIsLive();
    const deadline = Date.now() + 10_000;
    while (!feed.changeFeedIsLive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    const job = await insertItinerary({
      destination: "Watched City",
      durationDays: 3,
      pace: "balanced",
      budget: "moderate",
      travellers: 2,
      interests: [],
      model: "demo model",
      requestHash: "watchers",
    });
    const abort = new AbortController();
    const readers = await Promise.all(
      Array.from({ length: WATCHERS }, async () => {
        const stream = await openEventStream(events, job.id, abort.signal);
        await stream.readUntil(/event: snapshot/);
        return stream;
      }),
    );

    statements = 0;
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const quiet = statements;

    const other = new pg.Client({ connectionString: postgres.url });
    await other.connect();
    const changed = performance.now();
    await other.query("update itineraries set progress = 55, updated_at = now() where id = $1", [job.id]);
    await other.query("select pg_notify('itinera_changes', $1)", [`another-process:${job.id}`]);
    await Promise.all(readers.map(({ readUntil }) => readUntil(/"progress":55/)));
    const reachedAll = performance.now() - changed;
    await other.end();

    abort.abort();
    await Promise.all(readers.map((stream) => stream.cancel()));
    await feed.stopChangeFeed();
    await closeDb();

    const perWatcherSecond = quiet / (WATCHERS * SECONDS);
    console.log("| figure | value |\n| --- | --- |");
    console.log(`| watchers | ${WATCHERS} |`);
    console.log(`| quiet time | ${SECONDS} s |`);
    console.log(`| database statements while quiet | ${quiet} |`);
    console.log(`| statements per watcher-second | ${perWatcherSecond.toFixed(3)} |`);
    console.log(`| a change in another process reached every watcher in | ${Math.round(reachedAll)} ms |`);
    console.log(JSON.stringify({ bench: "watchers", watchers: WATCHERS, seconds: SECONDS, quietStatements: quiet, perWatcherSecond, reachedAllMs: Math.round(reachedAll) }));
  } finally {
    await postgres.stop();
  }
}

runMain(main);
