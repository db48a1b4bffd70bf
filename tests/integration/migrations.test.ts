import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import journal from "@/drizzle/meta/_journal.json";
import type { Database } from "@/lib/db/client";
import { pendingMigrations, schemaStatus } from "@/lib/db/schema-status";
import { startTemporaryPostgres, type TemporaryPostgres } from "../helpers/postgres";

// The deploy path's migrations: `npm run db:migrate` (scripts/migrate.mjs → drizzle-kit
// migrate, what vercel-build runs) against a real PostgreSQL, applied twice, and the schema
// check the app runs at start-up and in /api/health.

const run = promisify(execFile);
const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const TAGS = journal.entries.map((entry) => entry.tag);

/** Runs scripts/migrate.mjs as a deploy would, with only the variables it needs. */
function migrateScript(databaseUrl: string | undefined, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { NODE_ENV: "production", PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return run(process.execPath, ["scripts/migrate.mjs"], { cwd: REPO_ROOT, env, timeout: 90_000 });
}

let server: TemporaryPostgres;
let client: pg.Client;
let db: Database;

beforeAll(async () => {
  server = await startTemporaryPostgres();
  client = new pg.Client({ connectionString: server.url });
  await client.connect();
  db = drizzle({ client }) as unknown as Database;
}, 120_000);

afterAll(async () => {
  await client?.end();
  await server?.stop();
});

/** Every table and column, in order: what "the schema" means for these tests. */
async function describeSchema(): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `select table_name, column_name, data_type from information_schema.columns
     where table_schema = 'public' order by table_name, ordinal_position`,
  );
  return rows.map((row) => `${row.table_name}.${row.column_name}:${row.data_type}`);
}

const appliedCount = async () =>
  Number((await client.query<{ n: string }>("select count(*) as n from drizzle.__drizzle_migrations")).rows[0]?.n);

describe("migrations on deploy", () => {
  it("report every migration as pending on a database never migrated", async () => {
    expect(await schemaStatus(db)).toEqual({ current: false, pending: TAGS, expected: TAGS.at(-1) });
  });

  it("skip without DATABASE_URL and touch nothing", async () => {
    const { stdout } = await migrateScript(undefined);
    expect(stdout).toContain("DATABASE_URL is not set: skipping migrations");
    expect(await describeSchema()).toEqual([]);
  });

  it("apply every migration once, and a second run is a no-op", async () => {
    await migrateScript(server.url);
    const schema = await describeSchema();
    expect(schema).toContain("itineraries.status:text");
    expect(schema).toContain("itinerary_days.plan:jsonb");
    expect(await appliedCount()).toBe(TAGS.length);
    expect(await schemaStatus(db)).toEqual({ current: true, pending: [], expected: TAGS.at(-1) });

    await migrateScript(server.url);
    expect(await describeSchema()).toEqual(schema);
    expect(await appliedCount()).toBe(TAGS.length);
  }, 120_000);

  it("see a database one migration behind as behind, naming the migration", async () => {
    await client.query("begin");
    try {
      // As if the last migration had not run yet (rolled back: the schema stays as it was).
      await client.query(
        "delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)",
      );
      expect(await schemaStatus(db)).toEqual({ current: false, pending: [TAGS.at(-1)], expected: TAGS.at(-1) });
    } finally {
      await client.query("rollback");
    }
    expect((await schemaStatus(db)).current).toBe(true);
  });

  it("use the direct DATABASE_URL_UNPOOLED when Neon's integration sets one", async () => {
    // The pooled URL points nowhere: only the direct one can succeed.
    const { stdout } = await migrateScript("postgres://postgres@127.0.0.1:1/pooled", { DATABASE_URL_UNPOOLED: server.url });
    expect(stdout).toContain("applying database migrations");
    expect(await appliedCount()).toBe(TAGS.length);
  }, 60_000);

  it("fail loudly when the database cannot be reached", async () => {
    const unreachable = "postgres://postgres@127.0.0.1:1/nothing";
    await expect(migrateScript(unreachable)).rejects.toMatchObject({
      stderr: expect.stringContaining("migrations failed"),
    });
  }, 60_000);
});

describe("pendingMigrations", () => {
  const known = [
    { tag: "0000_a", when: 100 },
    { tag: "0001_b", when: 200 },
    { tag: "0002_c", when: 300 },
  ];
  it("lists what is newer than the last applied migration, oldest first", () => {
    expect(pendingMigrations(null, known)).toEqual(["0000_a", "0001_b", "0002_c"]);
    expect(pendingMigrations(100, known)).toEqual(["0001_b", "0002_c"]);
    expect(pendingMigrations(300, known)).toEqual([]);
    // A database ahead of this build (a newer deploy migrated it) is not behind.
    expect(pendingMigrations(400, known)).toEqual([]);
  });
});
