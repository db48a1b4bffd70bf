import "server-only";
import { env } from "@/lib/env";
import { scheduleExpiry } from "@/lib/jobs/expiry";
import { activeRunner, resumeUnfinishedJobs } from "@/lib/jobs/runner";
import { scheduleSweeper, sweepStaleJobs } from "@/lib/jobs/sweeper";
import { getModel } from "@/lib/llm/model";
import { logger } from "@/lib/logger";

/** Validates the environment, says which runner and model are active, resumes local jobs. */
export async function startServer(): Promise<void> {
  const log = logger("startup");
  const config = env();
  const runner = activeRunner();
  const { label } = getModel();
  log.info(
    {
      runner,
      model: label,
      database: config.DATABASE_URL ? "postgres" : `embedded PGlite (${config.PGLITE_DIR})`,
      retentionDays: config.JOB_RETENTION_DAYS,
    },
    `job runner: ${runner === "local" ? "local (in-process)" : "inngest"} · model: ${label}`,
  );
  if (runner !== "local") return;
  // Not awaited: the server answers while the embedded database warms up and jobs resume.
  // Jobs past their maximum age are failed first; everything else left processing resumes.
  sweepStaleJobs()
    .then(() => resumeUnfinishedJobs())
    .then((ids) => {
      if (ids.length > 0) log.info({ count: ids.length }, `resumed ${ids.length} unfinished job(s)`);
    })
    .catch((error: unknown) => {
      log.error({ err: error }, "could not resume unfinished jobs");
    })
    .finally(() => {
      scheduleSweeper();
      scheduleExpiry();
    });
}
