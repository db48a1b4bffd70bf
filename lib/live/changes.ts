import { EventEmitter } from "node:events";
import { processSingleton } from "@/lib/singleton";

// In-process change notifications: the command or workflow step that changed a job
// announces it, so a live stream in the same process answers at once. Other processes
// (Inngest workers, other instances) are seen by the stream's periodic re-read instead.

const emitter = () =>
  processSingleton("changes", () => {
    const created = new EventEmitter();
    created.setMaxListeners(0);
    return created;
  });

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
