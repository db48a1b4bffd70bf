import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { databaseCanNotify, listenChannel, notifyChannel, type Listener } from "@/lib/db/notifications";
import type { Preview } from "@/lib/domain/preview";
import { logger } from "@/lib/logger";
import { processSingleton } from "@/lib/singleton";

// The change feed: the command or workflow step that changed a job announces it, and every
// live stream of that job wakes up, in this process at once and in every other process on
// the same PostgreSQL through LISTEN/NOTIFY (one listening connection per process), and
// through a relay when one is installed (Inngest Realtime, on the Inngest runner). A
// stream that hears nothing reads nothing. With the embedded database (one process) the
// in-process events are the whole feed. Previews (lib/live/previews.ts) travel the same
// ways, but only when they fit in one notification: they are never stored.

const CHANNEL = "itinera_changes";
/** Wakes every waiter: the feed reconnected and may have missed changes meanwhile. */
const RESYNC = "*";
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7_900;

const previewEvent = (id: string) => `preview:${id}`;

/** Carries the feed beyond the processes sharing a database (e.g. Inngest Realtime). */
export interface LiveRelay {
  changed(id: string): Promise<void>;
  preview(id: string, preview: Preview): Promise<void>;
}

interface Feed {
  emitter: EventEmitter;
  /** This process, so that it does not hear its own notifications twice. */
  instance: string;
  listener: Listener | null;
  relay: LiveRelay | null;
}

const feed = () =>
  processSingleton<Feed>("changes", () => {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    return { emitter, instance: randomUUID(), listener: null, relay: null };
  });

/** Installs (or removes, with null) the relay every change and preview is also sent to. */
export function setLiveRelay(relay: LiveRelay | null): void {
  feed().relay = relay;
}

// Announcing never fails its caller: the write it announces already landed, and watchers
// elsewhere catch up at their next resync or snapshot.
function relayed(id: string, send: (relay: LiveRelay) => Promise<void>): void {
  const { relay } = feed();
  if (!relay) return;
  send(relay).catch((error: unknown) => {
    logger("live").warn({ err: error, jobId: id }, "could not relay a live update");
  });
}

function notifyOthers(id: string, payload: string): void {
  if (!databaseCanNotify()) return;
  notifyChannel(CHANNEL, payload).catch((error: unknown) => {
    logger("live").warn({ err: error, jobId: id }, "could not announce a change to other processes");
  });
}

/** Announces that job `id` changed, here and to the other processes on the database. */
export function notifyItineraryChanged(id: string): void {
  const { emitter, instance } = feed();
  emitter.emit(id);
  notifyOthers(id, `${instance}:${id}`);
  relayed(id, (relay) => relay.changed(id));
}

/** Sends a preview of job `id` to its watchers, here and elsewhere (when it fits). */
export function announcePreview(id: string, preview: Preview): void {
  const { emitter, instance } = feed();
  emitter.emit(previewEvent(id), preview);
  const payload = `${instance}:${id}:${JSON.stringify(preview)}`;
  if (Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES) notifyOthers(id, payload);
  relayed(id, (relay) => relay.preview(id, preview));
}

/**
 * Hands this process's watchers a change or a preview heard from elsewhere (a relay's
 * subscription); nothing is sent on.
 */
export function receiveLiveUpdate(id: string, preview?: Preview): void {
  const { emitter } = feed();
  if (preview) emitter.emit(previewEvent(id), preview);
  else emitter.emit(id);
}

/** Calls `listener` with every preview of job `id` until the returned function is called. */
export function onPreview(id: string, listener: (preview: Preview) => void): () => void {
  const { emitter } = feed();
  emitter.on(previewEvent(id), listener);
  return () => emitter.off(previewEvent(id), listener);
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
      // "<instance>:<job id>" for a change, "<instance>:<job id>:<preview JSON>" for a preview.
      const [instance = "", id] = payload.split(":", 2);
      if (!id || instance === current.instance) return;
      const rest = payload.slice(instance.length + id.length + 2);
      if (!rest) return void current.emitter.emit(id);
      try {
        current.emitter.emit(previewEvent(id), JSON.parse(rest) as Preview);
      } catch (error) {
        logger("live").warn({ err: error, jobId: id }, "ignored an unreadable preview notification");
      }
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
 * Calls `listener` each time job `id` changes (here or elsewhere) or the feed resyncs, at
 * once as the change is announced (before anything a waiter resumes), until the returned
 * function is called.
 */
export function onItineraryChange(id: string, listener: () => void): () => void {
  const { emitter } = feed();
  emitter.on(id, listener);
  emitter.on(RESYNC, listener);
  return () => {
    emitter.off(id, listener);
    emitter.off(RESYNC, listener);
  };
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
