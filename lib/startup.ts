import "server-only";
import { getDb } from "@/lib/db/client";
import { schemaStatus } from "@/lib/db/schema-status";
import { env } from "@/lib/env";
import { activeRunner, resumeUnfinishedJobs } from "@/lib/jobs/runner";
import { scheduleSweeper, sweepStaleJobs } from "@/lib/jobs/sweeper";
import { getModel } from "@/lib/llm/model";

/** Validates the environment, says which runner and model are active, resumes local jobs. */
export async function startServer(): Promise<void> {
  const config = env();
  const runner = activeRunner();
  const { label } = getModel();
  console.info(
    `[itinera] job runner: ${runner === "local" ? "local (in-process)" : "inngest"} · model: ${label} · database: ${config.DATABASE_URL ? "postgres" : `embedded PGlite (${config.PGLITE_DIR})`}`,
  );
  await refuseIfSchemaBehind();
  if (runner !== "local") return;
  // Not awaited: the server answers while the embedded database warms up and jobs resume.
  // Jobs past their maximum age are failed first; everything else left processing resumes.
  sweepStaleJobs()
    .then(() => resumeUnfinishedJobs())
    .then((ids) => {
      if (ids.length > 0) console.info(`[itinera] resumed ${ids.length} unfinished job(s)`);
      scheduleSweeper();
    })
    .catch((error: unknown) => {
      console.error("[itinera] could not resume unfinished jobs:", error instanceof Error ? error.message : error);
    });
}

/**
 * Serving from a database older than the code would fail request by request with SQL
 * errors; refuse at start-up instead, saying what to run. An unreachable database is not a
 * reason to refuse (it may come back; requests answer 503 meanwhile).
 */
export async function refuseIfSchemaBehind(): Promise<void> {
  let status;
  try {
    status = await schemaStatus(await getDb());
  } catch (error) {
    console.warn(
      "[itinera] could not check the database schema at start-up:",
      error instanceof Error ? error.message : error,
    );
    return;
  }
  if (status.current) return;
  const message =
    `[itinera] refusing to start: the database schema is behind this build ` +
    `(${status.pending.length} migration(s) not applied: ${status.pending.join(", ")}). ` +
    `Run "npm run db:migrate" with this DATABASE_URL (on Vercel the vercel-build script does it), then start again.`;
  console.error(message);
  throw new Error(message);
}
