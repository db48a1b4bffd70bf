import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import path from "node:path";
import { setDatabaseForTests, type Database } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";

export const MIGRATIONS_FOLDER = path.resolve(import.meta.dirname, "../../drizzle");

/** A fresh in-memory PGlite database with the app's migrations, installed as the app's db. */
export async function createTestDatabase(): Promise<{ db: Database; client: PGlite }> {
  const client = new PGlite("memory://");
  const db = drizzle({ client, schema });
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  setDatabaseForTests(db as unknown as Database, "pglite");
  return { db: db as unknown as Database, client };
}
