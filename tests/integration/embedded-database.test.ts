import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

// The embedded database as `npm start` opens it on a fresh laptop: its files are created
// (in a child process, so the server does not keep initdb's memory), the schema is migrated,
// and it runs with the small shared buffer pool that keeps the server's memory down — on
// the first start and on every later one.

const folder = await mkdtemp(path.join(os.tmpdir(), "itinera-embedded-"));
delete process.env.DATABASE_URL;
process.env.PGLITE_DIR = path.join(folder, "pglite");
const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
const { closeDb, getDb } = await import("@/lib/db/client");

afterAll(async () => {
  await closeDb();
  await rm(folder, { recursive: true, force: true });
});

const setting = async (name: "shared_buffers") => {
  const db = await getDb();
  const result = (await db.execute(sql.raw(`show ${name}`))) as unknown as { rows: Array<Record<string, string>> };
  return result.rows[0]?.[name];
};

describe("the embedded database", () => {
  it("is created, migrated and opened with 16 MB of shared buffers, on a fresh folder and again later", async () => {
    expect(await setting("shared_buffers")).toBe("16MB");
    expect(await readdir(process.env.PGLITE_DIR!)).toContain("PG_VERSION");
    const db = await getDb();
    const tables = (await db.execute(sql`select count(*)::int as n from information_schema.tables where table_name = 'itinerary_day_revisions'`)) as unknown as {
      rows: Array<{ n: number }>;
    };
    expect(tables.rows[0]?.n).toBe(1);

    await closeDb();
    expect(await setting("shared_buffers")).toBe("16MB");
  }, 120_000);
});
