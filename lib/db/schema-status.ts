import { sql } from "drizzle-orm";
import journal from "@/drizzle/meta/_journal.json";
import type { Database } from "./client";

// Is the database's schema as new as this build's code? drizzle-kit's migrator records each
// applied migration in drizzle.__drizzle_migrations with the journal's `when` as created_at,
// and applies every journal entry newer than the last one recorded; a database is behind
// exactly when that rule would still apply something. The journal is imported, not read from
// disk, so a serverless bundle carries it.

export interface SchemaStatus {
  current: boolean;
  /** Journal tags the database has not applied yet, oldest first. */
  pending: string[];
  /** The newest migration this build knows about. */
  expected: string | null;
}

interface JournalEntry {
  tag: string;
  when: number;
}

const entries: readonly JournalEntry[] = journal.entries;

/** Pending migrations, given the newest `created_at` the database recorded (null: none). */
export function pendingMigrations(lastApplied: number | null, known: readonly JournalEntry[] = entries): string[] {
  return known.filter((entry) => lastApplied === null || entry.when > lastApplied).map((entry) => entry.tag);
}

const UNDEFINED_TABLE = "42P01";
const INVALID_SCHEMA_NAME = "3F000";

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error; current && typeof current === "object"; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

export async function schemaStatus(db: Database): Promise<SchemaStatus> {
  let lastApplied: number | null;
  try {
    // Every driver (pg, Neon, PGlite) answers raw SQL with a `rows` array.
    const result = (await db.execute(sql`select max(created_at) as last from drizzle.__drizzle_migrations`)) as {
      rows: { last: string | number | null }[];
    };
    const value = result.rows[0]?.last;
    lastApplied = value === null || value === undefined ? null : Number(value);
  } catch (error) {
    // Never migrated at all: no drizzle schema or no migrations table yet.
    const code = errorCode(error);
    if (code !== UNDEFINED_TABLE && code !== INVALID_SCHEMA_NAME) throw error;
    lastApplied = null;
  }
  const pending = pendingMigrations(lastApplied);
  return { current: pending.length === 0, pending, expected: entries.at(-1)?.tag ?? null };
}
