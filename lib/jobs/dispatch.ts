import "server-only";
import { after } from "next/server";
import { inngest } from "@/inngest/client";
import { itineraryCancelled, itineraryEnded, itineraryRequested } from "@/inngest/events";
import { findItineraryById } from "@/lib/itineraries/queries";
import { logger } from "@/lib/logger";
import type { EndedStatus } from "@/lib/webhooks/deliver";
import { activeRunner, localRunner, webhookRunKey, webhookRunner } from "./runner";

/** Runs work after the response is sent when inside a request; right away otherwise. */
function runAfterResponse(task: () => Promise<unknown>): void {
  try {
    after(task);
  } catch {
    // Outside a request scope (start-up, scripts, tests) there is no response to wait for.
    setImmediate(() => void task());
  }
}

/**
 * Starts generating an itinerary. With Inngest the event id is the job id, so a re-sent
 * event never starts a second run; the local runner likewise keeps one run per id.
 */
export async function dispatchItineraryRequested(id: string, runKey: string = id): Promise<void> {
  if (activeRunner() === "inngest") {
    await inngest.send(itineraryRequested.create({ id, runKey }, { id: runKey }));
    return;
  }
  // A retry may follow a cancel whose run is still winding down: start once it has ended.
  // Either way nothing is memoized yet (a new job, or a reopened one whose steps were
  // cleared), so the run skips reading its steps.
  runAfterResponse(() => localRunner().startAfterCurrent(id, { fresh: true }));
}

export async function dispatchItineraryCancelled(id: string): Promise<void> {
  if (activeRunner() === "inngest") {
    await inngest.send(itineraryCancelled.create({ id }, { id: `${id}:cancelled` }));
    return;
  }
  localRunner().cancel(id);
}

/**
 * Queues the webhook for a job that just ended as `status`; false (nothing sent) when the
 * job has no callback URL or has already moved on. The event id names this ending, so a
 * re-send is dropped while a job retried and ended again gets a webhook of its own.
 */
export async function dispatchItineraryEnded(id: string, status: EndedStatus): Promise<boolean> {
  const job = await findItineraryById({ id });
  if (!job?.callbackUrl || job.status !== status) return false;
  if (activeRunner() === "inngest") {
    const ended = job.completedAt?.getTime() ?? 0;
    await inngest.send(itineraryEnded.create({ id, status }, { id: `${id}:ended:${status}:${ended}` }));
    return true;
  }
  runAfterResponse(() => webhookRunner().start(webhookRunKey(id, status)));
  return true;
}

/** dispatchItineraryEnded for callers whose own work is done either way (cancel, sweeper). */
export async function notifyItineraryEnded(id: string, status: EndedStatus): Promise<void> {
  try {
    await dispatchItineraryEnded(id, status);
  } catch (error) {
    logger("webhooks").error({ jobId: id, status, err: error }, `could not queue the ${status} webhook`);
  }
}
