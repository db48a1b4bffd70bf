import "server-only";
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
