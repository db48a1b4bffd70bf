import "server-only";
import { inngest } from "@/inngest/client";
import {
  itineraryCancelled,
  itineraryDayRevisionRequested,
  itineraryEnded,
  itineraryRequested,
  itineraryUpdated,
} from "@/inngest/events";
import { listProcessingIds } from "@/lib/db/queries/itineraries";
import { listUnfinishedRevisions } from "@/lib/db/queries/revisions";
import { listUndeliveredUpdates, listUndeliveredWebhooks } from "@/lib/db/queries/steps";
import type { EndedStatus } from "@/lib/domain/constants";
import { jobRunnerKind, type JobRunnerKind } from "@/lib/env";
import { logger } from "@/lib/logger";
import type { RevisionOutcome } from "@/lib/workflow/types";
import { handToLeader, isLeader } from "./leader";
import { installLiveRelay } from "./live-relay";
import {
  announceEndedLocally,
  announceUpdatedLocally,
  asUpdateDelivery,
  cancelLocalRuns,
  jobToAnnounce,
  localRunner,
  revisionRunKey,
  revisionRunner,
  runAfterResponse,
  updateToAnnounce,
  webhookRunner,
  type EndedJob,
} from "./local-functions";

// The runner seam: whichever runner is active, callers start, cancel and announce jobs the
// same way. With Inngest these are events; locally, runs of lib/jobs/local-functions.ts.

// Every process that starts, changes or runs jobs loads this module: on the Inngest runner
// its changes go to Inngest Realtime too (lib/jobs/live-relay.ts says why here).
installLiveRelay();

export function activeRunner(): JobRunnerKind {
  return jobRunnerKind();
}

/**
 * Starts generating an itinerary. With Inngest the event id is the run key (the job id for
 * the first run), so a re-sent event never starts a second run; the local runner likewise
 * keeps one run per id.
 */
export async function dispatchItineraryRequested(id: string, runKey: string = id): Promise<void> {
  if (activeRunner() === "inngest") {
    await inngest.send(itineraryRequested.create({ id, runKey }, { id: runKey }));
    return;
  }
  // Another instance runs the local runner's jobs: hand it over (a failure is a 503).
  if (isLeader() === false) {
    await handToLeader({ kind: "start", id });
    return;
  }
  // A retry may follow a cancel whose run is still winding down: start once it has ended.
  // Either way nothing is memoized yet (a new job, or a reopened one whose steps were
  // cleared), so the run skips reading its steps.
  runAfterResponse(() => localRunner().startAfterCurrent({ id }, { fresh: true }));
}

/** Starts rewriting day `day` as revision `revision` (one run per job, day and revision). */
export async function dispatchDayRevisionRequested(id: string, day: number, revision: number): Promise<void> {
  if (activeRunner() === "inngest") {
    const runKey = `${id}:day-${day}:revision-${revision}`;
    await inngest.send(itineraryDayRevisionRequested.create({ id, day, revision }, { id: runKey }));
    return;
  }
  if (isLeader() === false) {
    await handToLeader({ kind: "revise", id, day, revision });
    return;
  }
  runAfterResponse(() => revisionRunner().start({ id, day, revision }, { fresh: true }));
}

/** Stops job `id`'s generation and its revisions (a cancel, or a delete). */
export async function dispatchItineraryCancelled(id: string): Promise<void> {
  if (activeRunner() === "inngest") {
    await inngest.send(itineraryCancelled.create({ id }, { id: `${id}:cancelled:${Date.now()}` }));
    return;
  }
  cancelLocalRuns(id);
  // The run is the leader's: tell it to stop its calls in flight too.
  if (isLeader() === false) await handToLeader({ kind: "cancel", id });
}

/**
 * Queues the webhook for a job that just ended as `status`; false (nothing sent) when the
 * job has no callback URL or has already moved on. The event id names this ending, so a
 * re-send is dropped while a job retried and ended again gets a webhook of its own. `job`
 * spares the read when the caller holds the row.
 */
export async function dispatchItineraryEnded(id: string, status: EndedStatus, job?: EndedJob | null): Promise<boolean> {
  if (activeRunner() !== "inngest") return announceEndedLocally(id, status, job);
  const current = await jobToAnnounce(id, status, job);
  if (!current) return false;
  const ended = current.completedAt?.getTime() ?? 0;
  await inngest.send(itineraryEnded.create({ id, status }, { id: `${id}:ended:${status}:${ended}` }));
  return true;
}

/**
 * Queues the `itinerary.updated` webhook for revision `revision` of day `day`, which landed
 * or failed; false (nothing sent) when the job has no callback URL or was deleted. With
 * Inngest the event id names the job, day, revision and outcome, so a re-send (a notify
 * step run again) is dropped; the local runner keeps one delivery per the same four.
 */
export async function dispatchItineraryUpdated(id: string, day: number, revision: number, outcome: RevisionOutcome): Promise<boolean> {
  if (activeRunner() !== "inngest") return announceUpdatedLocally(id, day, revision, outcome);
  const update = await updateToAnnounce(id, day, revision, outcome);
  if (!update) return false;
  await inngest.send(itineraryUpdated.create(update, { id: `${id}:updated:day-${day}:revision-${revision}:${outcome}` }));
  return true;
}

/** dispatchItineraryEnded for callers whose own work is done either way (cancel, sweeper). */
export async function notifyItineraryEnded(id: string, status: EndedStatus, job?: EndedJob | null): Promise<void> {
  try {
    await dispatchItineraryEnded(id, status, job);
  } catch (error) {
    logger("webhooks").error({ jobId: id, status, err: error }, `could not queue the ${status} webhook`);
  }
}

/** Webhooks of the last day that a stopped process had not delivered are sent again. */
const WEBHOOK_RESUME_WINDOW_MS = 24 * 60 * 60 * 1000;

async function resumeUndeliveredWebhooks(): Promise<void> {
  try {
    const since = new Date(Date.now() - WEBHOOK_RESUME_WINDOW_MS);
    const ended = await listUndeliveredWebhooks({ endedAfter: since });
    const updates = (await listUndeliveredUpdates({ queuedAfter: since })).map(asUpdateDelivery).filter((update) => update !== null);
    const pending = [...ended, ...updates];
    for (const delivery of pending) void webhookRunner().start(delivery);
    if (pending.length > 0) logger("webhooks").info({ count: pending.length }, `resumed ${pending.length} undelivered webhook(s)`);
  } catch (error) {
    logger("webhooks").error({ err: error }, "could not resume undelivered webhooks");
  }
}

/** Revisions left `revising` by a stopped process start again; returns their run keys. */
async function resumeUnfinishedRevisions(): Promise<string[]> {
  try {
    const revisions = await listUnfinishedRevisions();
    for (const revision of revisions) void revisionRunner().start(revision);
    if (revisions.length > 0) logger("revisions").info({ count: revisions.length }, `resumed ${revisions.length} unfinished revision(s)`);
    return revisions.map(revisionRunKey);
  } catch (error) {
    logger("revisions").error({ err: error }, "could not resume unfinished revisions");
    return [];
  }
}

/**
 * Resumes every job left `processing` by a crash or restart, and every revision of a day
 * left `revising` (local runner only: Inngest keeps its own state). Finished steps are not
 * repeated: their outputs are memoized (a revision's under "revision-<day>-<revision>:").
 * Webhooks the stopped process had not delivered are sent too. Returns the ids of the jobs
 * resumed, then the run keys of the revisions ("<id>:day-<day>:revision-<revision>").
 */
export async function resumeUnfinishedJobs(): Promise<string[]> {
  if (activeRunner() !== "local") return [];
  const ids = await listProcessingIds();
  for (const id of ids) void localRunner().start({ id });
  const revisions = await resumeUnfinishedRevisions();
  await resumeUndeliveredWebhooks();
  return [...ids, ...revisions];
}
