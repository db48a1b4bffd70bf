import "server-only";
import { sql } from "drizzle-orm";
import { env } from "@/lib/env";
import { processSingleton } from "@/lib/singleton";
import { driverFor, getDb } from "./client";

// Whether the database answers right now, for pages that must say "unavailable" (503) up
// front: a page cannot set its own status once it has failed. A quick probe (select 1, at
// most 1 s, one at a time per process); the embedded database always answers.

const PROBE_TIMEOUT_MS = 1_000;

const inFlight = () => processSingleton<{ probe: Promise<boolean> | null }>("database-probe", () => ({ probe: null }));

async function probe(): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const db = await getDb();
    await Promise.race([
      db.execute(sql`select 1`),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), PROBE_TIMEOUT_MS))),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** True when the database answers a probe (always, for the embedded database). */
export function databaseAnswers(): Promise<boolean> {
  if (driverFor(env().DATABASE_URL) === "pglite") return Promise.resolve(true);
  const current = inFlight();
  current.probe ??= probe().finally(() => {
    current.probe = null;
  });
  return current.probe;
}
