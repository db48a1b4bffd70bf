import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { databaseCanNotify, listenChannel, notifyChannel, type Listener } from "@/lib/db/notifications";
import { logger } from "@/lib/logger";
import { processSingleton } from "@/lib/singleton";

// The change feed: the command or workflow step that changed a job announces it, and every
// live stream of that job wakes up, in this process at once and in every other process on
// the same PostgreSQL through LISTEN/NOTIFY (one listening connection per process). A
// stream that hears nothing reads nothing. With the embedded database (one process) the
// in-process events are the whole feed.

const CHANNEL = "itinera_changes";
/** Wakes every waiter: the feed reconnected and may have missed changes meanwhile. */
const RESYNC = "*";

interface Feed {
  emitter: EventEmitter;
  /** This process, so that it does not hear its own notifications twice. */
  instance: string;
  listener: Listener | null;
}

const feed = () =>
  processSingleton<Feed>("changes", () => {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    return { emitter, instance: randomUUID(), listener: null };
  });

/** Announces that job `id` changed, here and to the other processes on the database. */
export function notifyItineraryChanged(id: string): void {
  const { emitter, instance } = feed();
  emitter.emit(id);
  if (!databaseCanNotify()) return;
  notifyChannel(CHANNEL, `${instance}:${id}`).catch((error: unknown) => {
    // Other processes' streams catch up at their next resync; this write already landed.
    logger("live").warn({ err: error, jobId: id }, "could not announce a change to other processes");
  });
}

/**
 * Starts listening to the other processes (once per process). True when changes made
 * anywhere reach this process without polling: always with the embedded database; with
 * PostgreSQL once the LISTEN connection is up.
 */
export function changeFeedIsLive(): boolean {
  if (!databaseCanNotify()) return true;
  const current = feed();
  current.listener ??= listenChannel(CHANNEL, {
    onPayload(payload) {
      const separator = payload.indexOf(":");
      if (payload.slice(0, separator) !== current.instance) current.emitter.emit(payload.slice(separator + 1));
    },
    onConnected: () => current.emitter.emit(RESYNC),
  });
  return current.listener.connected;
}

/** Stops listening (tests, shutdown). */
export async function stopChangeFeed(): Promise<void> {
  const current = feed();
  await current.listener?.stop();
  current.listener = null;
}

/**
 * Resolves true when the job changes (here or elsewhere, or the feed resynced), false after
 * `timeoutMs` or on abort.
 */
export function waitForItineraryChange(id: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const { emitter } = feed();
  return new Promise((resolve) => {
    const finish = (changed: boolean) => () => {
      clearTimeout(timer);
      emitter.off(id, onChange);
      emitter.off(RESYNC, onChange);
      signal?.removeEventListener("abort", onQuiet);
      resolve(changed);
    };
    const onChange = finish(true);
    const onQuiet = finish(false);
    const timer = setTimeout(onQuiet, timeoutMs);
    emitter.once(id, onChange);
    emitter.once(RESYNC, onChange);
    signal?.addEventListener("abort", onQuiet, { once: true });
  });
}
