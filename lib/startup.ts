import "server-only";
import { getDb } from "@/lib/db/client";
import { schemaStatus } from "@/lib/db/schema-status";
import { env, EnvError } from "@/lib/env";
import { scheduleExpiry } from "@/lib/jobs/expiry";
import { decideJobRunner, StartupRefusedError } from "@/lib/jobs/runner-choice";
import { resumeUnfinishedJobs } from "@/lib/jobs/dispatch";
import { startLeadership } from "@/lib/jobs/leader";
import { cancelLocalRuns, localRunner, revisionRunner } from "@/lib/jobs/local-functions";
import { stopRepeating } from "@/lib/jobs/repeat";
import { scheduleSweeper, sweepStaleJobs } from "@/lib/jobs/sweeper";
import { getModel } from "@/lib/llm/model";
import { logger } from "@/lib/logger";

/** The lines of a refusal, each naming the variable to fix. */
function refusalProblems(error: unknown): string[] | undefined {
  if (error instanceof StartupRefusedError) return error.problems;
  if (error instanceof EnvError) return error.issues;
  return undefined;
}

/**
 * Validates the environment and the runner choice (throwing, so the server does not start,
 * when either is unusable), says which runner and model are active, resumes local jobs.
 */
export async function startServer(): Promise<void> {
  const log = logger("startup");
  let config;
  let runner;
  try {
    config = env();
    runner = decideJobRunner(config);
  } catch (error) {
    // Logged as a JSON line for log collectors; the throw stops `next start` with the text.
    log.fatal({ problems: refusalProblems(error), err: error }, "refusing to start");
    throw error;
  }
  const { label } = getModel();
  log.info(
    {
      runner: runner.kind,
      runnerReason: runner.reason,
      model: label,
      database: config.DATABASE_URL ? "postgres" : `embedded PGlite (${config.PGLITE_DIR})`,
      retentionDays: config.JOB_RETENTION_DAYS,
    },
    `job runner: ${runner.kind === "local" ? "local (in-process)" : "inngest"} · model: ${label}`,
  );
  if (runner.warning) log.warn({ runner: runner.kind }, runner.warning);
  // The embedded database migrates itself when it opens; only a server database can lag.
  if (config.DATABASE_URL) await refuseIfSchemaBehind();
  if (runner.kind !== "local") return;
  startLocalRunner();
}

/**
 * Competes for the local runner (one instance per database runs its jobs). The leader
 * fails jobs past their maximum age, resumes everything else left processing, and keeps the
 * sweeper and expiry timers; it stops its runs if it loses the lead, and the next leader
 * resumes them. Not awaited: the server answers while this goes on.
 */
function startLocalRunner(): void {
  const log = logger("startup");
  startLeadership({
    onLead() {
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
    },
    onFollow() {
      for (const id of localRunner().activeJobIds) localRunner().cancel(id);
      for (const key of revisionRunner().activeJobIds) revisionRunner().cancel(key);
      stopRepeating("sweeper");
      stopRepeating("expiry");
    },
    onWork(message) {
      if (message.kind === "cancel") cancelLocalRuns(message.id);
      else if (message.kind === "revise") void revisionRunner().start({ id: message.id, day: message.day, revision: message.revision });
      else void localRunner().startAfterCurrent({ id: message.id });
    },
  });
}

/**
 * What instrumentation.ts runs at server start: startServer, and on a refusal an exit with
 * status 1. Next 16 logs an error thrown by register() but keeps listening, answering 500
 * to every request; a process that exits is what a supervisor, a deploy or a person notices.
 */
export async function startServerOrExit(exit: (code: number) => void = (code) => process.exit(code)): Promise<void> {
  try {
    await startServer();
  } catch (error) {
    // The JSON line is out already; this is for a person reading the terminal.
    process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n\n`);
    exit(1);
  }
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
    logger("startup").warn({ err: error }, "could not check the database schema at start-up");
    return;
  }
  if (status.current) return;
  const message =
    `refusing to start: the database schema is behind this build ` +
    `(${status.pending.length} migration(s) not applied: ${status.pending.join(", ")}). ` +
    `Run "npm run db:migrate" with this DATABASE_URL (on Vercel the vercel-build script does it), then start again.`;
  logger("startup").fatal({ pending: status.pending }, message);
  throw new Error(message);
}
