import { randomUUID } from "node:crypto";
import { getSubscriptionToken, realtime } from "inngest/realtime";
import { z } from "zod";
import { previewSchema, type Preview } from "@/lib/domain/preview";
import { receiveLiveUpdate, type LiveRelay } from "@/lib/live/changes";
import { logger } from "@/lib/logger";
import { processSingleton } from "@/lib/singleton";
import { inngest } from "./client";

// The change feed on Inngest Realtime (Inngest runner only; lib/jobs/live-relay.ts decides
// and installs). One channel per job, `itinerary:<id>`, with two topics: `changed` (the job
// changed: read it again) and `partial` (a preview of what the model is writing). Both are
// published with the client's non-durable publish, never as steps: a preview is not worth a
// step, and a lost message costs only a wait until the next one (or the next snapshot).
//
// Each message names the process that sent it (`origin`): a process hears its own changes
// in-process already, so its subscription skips them.

export const REALTIME_TOPICS = ["changed", "partial"] as const;

const changedSchema = z.object({
  at: z.iso.datetime().describe("When the change was announced"),
  origin: z.string().optional().describe("The process that announced it"),
});
const relayedPreviewSchema = previewSchema.extend({ origin: z.string().optional() });

export const itineraryChannel = realtime.channel({
  name: (id: string) => `itinerary:${id}`,
  topics: {
    changed: { schema: changedSchema },
    partial: { schema: relayedPreviewSchema },
  },
});

/** This process, as messages name it. */
const origin = () => processSingleton("realtime-origin", () => randomUUID());

// --- Publishing: in order per job, each publish bounded in time.

/** A publish that takes longer is given up on (logged), so the next one is not held up. */
export const PUBLISH_TIMEOUT_MS = 2_000;
/** Publishes waiting per job past which previews are dropped (a change is never dropped). */
const MAX_QUEUED = 20;

interface Queue {
  tail: Promise<void>;
  size: number;
}

const queues = () => processSingleton("realtime-queues", () => new Map<string, Queue>());

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Inngest Realtime did not answer within ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Publishes after the job's earlier publishes have settled, so subscribers get a job's
 * messages in the order they were announced (concurrent requests could land in any order).
 * The returned promise rejects when the publish fails; lib/live/changes.ts logs that.
 */
function enqueue(id: string, publish: () => Promise<void>, { droppable }: { droppable: boolean }): Promise<void> {
  const all = queues();
  let queue = all.get(id);
  if (!queue) {
    queue = { tail: Promise.resolve(), size: 0 };
    all.set(id, queue);
  }
  if (droppable && queue.size >= MAX_QUEUED) {
    return Promise.reject(new Error(`Inngest Realtime is behind (${queue.size} publishes waiting); a preview was dropped`));
  }
  const current = queue;
  current.size += 1;
  const run = current.tail.then(() => withTimeout(publish(), PUBLISH_TIMEOUT_MS));
  current.tail = run
    .catch(() => undefined)
    .finally(() => {
      current.size -= 1;
      if (current.size === 0 && all.get(id) === current) all.delete(id);
    });
  return run;
}

/**
 * Waits (at most `timeoutMs`) for job `id`'s publishes so far: a step calls it before it
 * hands its result back, so a serverless function is not frozen with them unsent.
 */
export async function flushRealtime(id: string, timeoutMs = 500): Promise<void> {
  const queue = queues().get(id);
  if (!queue) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([queue.tail, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/** Sends the change feed to Inngest Realtime (installed with setLiveRelay). */
export const inngestLiveRelay: LiveRelay = {
  changed(id) {
    const data = { at: new Date().toISOString(), origin: origin() };
    return enqueue(id, () => inngest.realtime.publish(itineraryChannel(id).changed, data), { droppable: false });
  },
  preview(id, preview) {
    const data = { ...preview, origin: origin() };
    return enqueue(id, () => inngest.realtime.publish(itineraryChannel(id).partial, data), { droppable: true });
  },
};

// --- Subscription tokens, for browsers.

export interface RealtimeToken {
  key: string;
  channel: string;
  topics: Array<(typeof REALTIME_TOPICS)[number]>;
  apiBaseUrl?: string;
}

/** A token that lets its holder subscribe to job `id`'s channel (both topics), as the SDK mints it. */
export async function itinerarySubscriptionToken(id: string): Promise<RealtimeToken> {
  const token = await getSubscriptionToken(inngest, { channel: itineraryChannel(id).name, topics: [...REALTIME_TOPICS] });
  if (!token.key) throw new Error("Inngest returned no realtime subscription token");
  return {
    key: token.key,
    channel: token.channel,
    topics: [...REALTIME_TOPICS],
    ...(token.apiBaseUrl ? { apiBaseUrl: token.apiBaseUrl } : {}),
  };
}

// --- Subscriptions, for this process's live streams: one per job, shared.

interface Following {
  streams: number;
  stop: AbortController;
}

const following = () => processSingleton("realtime-following", () => new Map<string, Following>());

/** Reconnection delays after a subscription failed or closed: 1 s, 2 s, 4 s … at most 30 s. */
const retryDelay = (failures: number) => Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));

type RelayedMessage = { kind: string; topic?: string; data?: unknown };

function deliver(id: string, message: RelayedMessage): void {
  if (message.kind !== "data") return;
  const data = message.data as { origin?: string } | undefined;
  if (!data || data.origin === origin()) return;
  if (message.topic === "changed") receiveLiveUpdate(id);
  else if (message.topic === "partial") {
    const parsed = previewSchema.safeParse(data);
    if (parsed.success) receiveLiveUpdate(id, parsed.data satisfies Preview);
  }
}

/** Subscribes until stopped, again after a drop; what arrives goes to this process's watchers. */
async function keepSubscribed(id: string, stop: AbortSignal): Promise<void> {
  const log = logger("realtime");
  let failures = 0;
  while (!stop.aborted) {
    try {
      const subscription = await inngest.realtime.subscribe({ channel: itineraryChannel(id), topics: [...REALTIME_TOPICS] });
      if (stop.aborted) {
        subscription.close("no stream follows the job any more");
        break;
      }
      const close = () => subscription.close("no stream follows the job any more");
      stop.addEventListener("abort", close, { once: true });
      failures = 0;
      // Anything announced before the subscription was up is read now (as after a NOTIFY reconnect).
      receiveLiveUpdate(id);
      const reader = subscription.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          deliver(id, value as RelayedMessage);
        }
      } finally {
        stop.removeEventListener("abort", close);
        reader.releaseLock();
      }
      if (stop.aborted) break;
      log.info({ jobId: id }, "the realtime subscription closed; subscribing again");
    } catch (error) {
      failures += 1;
      if (stop.aborted) break;
      log.warn(
        { err: error, jobId: id, failures },
        "could not subscribe to Inngest Realtime; live streams fall back on the database's change feed",
      );
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, retryDelay(Math.max(1, failures)));
      stop.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

/**
 * Follows job `id`'s channel while at least one live stream of this process does: the first
 * call subscribes, the rest share it; the returned function (call it once) lets go, and the
 * last to let go closes the subscription.
 */
export function followRealtime(id: string): () => void {
  const all = following();
  let entry = all.get(id);
  if (!entry) {
    const created: Following = { streams: 0, stop: new AbortController() };
    all.set(id, created);
    entry = created;
    void keepSubscribed(id, created.stop.signal).catch((error: unknown) => {
      logger("realtime").error({ err: error, jobId: id }, "the realtime subscription failed");
    });
  }
  const current = entry;
  current.streams += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    current.streams -= 1;
    if (current.streams > 0) return;
    current.stop.abort();
    if (all.get(id) === current) all.delete(id);
  };
}

/** Jobs this process follows on Inngest Realtime, with their stream counts (tests, health). */
export function followedJobs(): Map<string, number> {
  return new Map([...following()].map(([id, entry]) => [id, entry.streams]));
}
