import "server-only";
import { getDatabaseDriver, getDb } from "@/lib/db/client";
import { schemaStatus, type SchemaStatus } from "@/lib/db/schema-status";
import { activeRunner } from "@/lib/jobs/dispatch";
import { isLeader } from "@/lib/jobs/leader";
import { getModel } from "@/lib/llm/model";
import type { Health } from "./schemas";

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out")), ms)),
  ]);

/**
 * The liveness probe's answer: the process is up and serving requests. It touches nothing
 * else, so a restart is never triggered by a slow database (GET /api/health says that).
 */
export function livenessAnswer(): { status: "ok" } {
  return { status: "ok" };
}

export async function checkHealth(): Promise<Health> {
  const { label, kind } = getModel();
  const started = performance.now();
  let database: Health["database"];
  let schema: SchemaStatus | null = null;
  try {
    const db = await withTimeout(getDb(), 10_000);
    // One round trip answers both: does the database answer, and is its schema current.
    schema = await withTimeout(schemaStatus(db), 3_000);
    database = {
      ok: true,
      driver: await getDatabaseDriver(),
      latencyMs: Math.round(performance.now() - started),
    };
  } catch {
    database = { ok: false, driver: null, latencyMs: null, error: "The database is unreachable." };
  }
  return {
    status: database.ok && schema?.current ? "ok" : "degraded",
    database,
    schema,
    runner: activeRunner(),
    leader: activeRunner() === "local" ? isLeader() : null,
    model: { label, kind },
  };
}
