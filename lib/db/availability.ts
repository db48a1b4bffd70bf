import "server-only";
import { sql } from "drizzle-orm";
import { processSingleton } from "@/lib/singleton";
import { getDb } from "./client";

// Whether the database answers, as far as this process has seen: a read that failed because
// the database is unreachable marks it down; until a quick probe answers again, pages can
// say "unavailable" (503) up front instead of failing one by one.

const PROBE_TIMEOUT_MS = 1_000;

interface Availability {
  down: boolean;
  probe: Promise<boolean> | null;
}

const state = () => processSingleton<Availability>("database-availability", () => ({ down: false, probe: null }));

export function noteDatabaseUnavailable(): void {
  state().down = true;
}

export function noteDatabaseAvailable(): void {
  state().down = false;
}

async function probe(): Promise<boolean> {
  try {
    const db = await getDb();
    await Promise.race([
      db.execute(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), PROBE_TIMEOUT_MS)),
    ]);
    noteDatabaseAvailable();
    return true;
  } catch {
    return false;
  }
}

/** True unless the database was last seen unreachable and a probe (one at a time) still fails. */
export function databaseAnswers(): Promise<boolean> {
  const current = state();
  if (!current.down) return Promise.resolve(true);
  current.probe ??= probe().finally(() => {
    current.probe = null;
  });
  return current.probe;
}
