import "server-only";
import { endItinerary, listStaleProcessing } from "@/lib/db/queries/itineraries";
import { failDayRevision, listUnfinishedRevisions } from "@/lib/db/queries/revisions";
import { env, type JobRunnerKind } from "@/lib/env";
import { notifyItineraryChanged } from "@/lib/live/changes";
import { logger } from "@/lib/logger";
import { activeRunner, notifyItineraryEnded } from "./dispatch";
import { localRunner, revisionRunKey, revisionRunner } from "./local-functions";
import { scheduleRepeating } from "./repeat";

// Nothing accepted may stay `processing` forever. The sweeper looks for jobs that have made
// no progress for JOB_STALE_AFTER_SECONDS: the local runner resumes them (their finished
// steps are memoized); with Inngest, which keeps its own queue, they are failed. Any job
// older than JOB_MAX_AGE_SECONDS is failed whichever runner has it. Likewise no day stays
// `revising` forever: a revision whose job has not changed for JOB_STALE_AFTER_SECONDS is
// resumed by the local runner, and marked failed (its plan unchanged) on Inngest.

export interface SweepResult {
  resumed: string[];
  failed: string[];
  /** Revisions ("<job>:day-<d>:revision-<r>") resumed or marked failed. */
  revisions: { resumed: string[]; failed: string[] };
}

const minutes = (seconds: number) => Math.max(1, Math.round(seconds / 60));

export function tooOldMessage(maxAgeSeconds: number): string {
  return `This itinerary was still unfinished ${minutes(maxAgeSeconds)} minutes after it was requested, so it was stopped. Please request it again.`;
}

export function lostRevisionMessage(staleSeconds: number): string {
  return `This change made no progress for ${minutes(staleSeconds)} minutes: the job runner appears to have lost it, so it was stopped. The day is as it was; please try again.`;
}

export function lostMessage(staleSeconds: number): string {
  return `This itinerary made no progress for ${minutes(staleSeconds)} minutes: the job runner appears to have lost it, so it was stopped. Please request it again.`;
}

export async function sweepStaleJobs({
  now = new Date(),
  runner = activeRunner(),
}: { now?: Date; runner?: JobRunnerKind } = {}): Promise<SweepResult> {
  const { JOB_STALE_AFTER_SECONDS, JOB_MAX_AGE_SECONDS } = env();
  const stale = await listStaleProcessing({
    updatedBefore: new Date(now.getTime() - JOB_STALE_AFTER_SECONDS * 1000),
  });
  const result: SweepResult = { resumed: [], failed: [], revisions: { resumed: [], failed: [] } };
  const running = runner === "local" ? new Set(localRunner().activeJobIds) : new Set<string>();

  for (const job of stale) {
    const age = (now.getTime() - job.createdAt.getTime()) / 1000;
    if (age > JOB_MAX_AGE_SECONDS) {
      localRunner().cancel(job.id);
      if (await endItinerary({ id: job.id, status: "failed", error: tooOldMessage(JOB_MAX_AGE_SECONDS) })) {
        result.failed.push(job.id);
      }
    } else if (runner === "inngest") {
      if (await endItinerary({ id: job.id, status: "failed", error: lostMessage(JOB_STALE_AFTER_SECONDS) })) {
        result.failed.push(job.id);
      }
    } else if (!running.has(job.id)) {
      void localRunner().start({ id: job.id });
      result.resumed.push(job.id);
    }
  }
  for (const id of result.failed) {
    notifyItineraryChanged(id);
    await notifyItineraryEnded(id, "failed");
  }
  await sweepStaleRevisions(new Date(now.getTime() - JOB_STALE_AFTER_SECONDS * 1000), runner, result);
  if (result.resumed.length + result.failed.length + result.revisions.resumed.length + result.revisions.failed.length > 0) {
    logger("sweeper").info(
      {
        resumed: result.resumed.length,
        failed: result.failed.length,
        revisionsResumed: result.revisions.resumed.length,
        revisionsFailed: result.revisions.failed.length,
      },
      `resumed ${result.resumed.length}, failed ${result.failed.length} stuck job(s)`,
    );
  }
  return result;
}

async function sweepStaleRevisions(updatedBefore: Date, runner: JobRunnerKind, result: SweepResult): Promise<void> {
  const { JOB_STALE_AFTER_SECONDS } = env();
  const running = runner === "local" ? new Set(revisionRunner().activeJobIds) : new Set<string>();
  for (const revision of await listUnfinishedRevisions({ updatedBefore })) {
    const key = revisionRunKey(revision);
    if (runner === "inngest") {
      if (await failDayRevision({ ...revision, error: lostRevisionMessage(JOB_STALE_AFTER_SECONDS) })) {
        notifyItineraryChanged(revision.id);
        result.revisions.failed.push(key);
      }
    } else if (!running.has(key)) {
      void revisionRunner().start(revision);
      result.revisions.resumed.push(key);
    }
  }
}

/** Runs the sweeper on a timer in this process (local runner). */
export function scheduleSweeper(): void {
  scheduleRepeating("sweeper", env().JOB_SWEEP_INTERVAL_SECONDS * 1000, () => sweepStaleJobs());
}
