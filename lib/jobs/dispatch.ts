import "server-only";
import { after } from "next/server";
import { inngest } from "@/inngest/client";
import { itineraryCancelled, itineraryRequested } from "@/inngest/events";
import { activeRunner, localRunner } from "./runner";

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
  runAfterResponse(() => localRunner().startAfterCurrent(id));
}

export async function dispatchItineraryCancelled(id: string): Promise<void> {
  if (activeRunner() === "inngest") {
    await inngest.send(itineraryCancelled.create({ id }, { id: `${id}:cancelled` }));
    return;
  }
  localRunner().cancel(id);
}
