import { EventEmitter } from "node:events";

// In-process change notifications: the writes in queries.ts announce a job changed, so a
// live stream in the same process answers at once. Other processes (Inngest workers,
// other instances) are seen by the stream's periodic re-read instead.

const store = globalThis as unknown as { __itineraChanges?: EventEmitter };

function emitter(): EventEmitter {
  if (!store.__itineraChanges) {
    store.__itineraChanges = new EventEmitter();
    store.__itineraChanges.setMaxListeners(0);
  }
  return store.__itineraChanges;
}

export function notifyItineraryChanged(id: string): void {
  emitter().emit(id);
}

/** Resolves when the job changes in this process, after `timeoutMs`, or on abort. */
export function waitForItineraryChange(id: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      emitter().off(id, done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    emitter().once(id, done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
