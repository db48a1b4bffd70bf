import type { Preview } from "@/lib/domain/preview";
import { previewKey } from "@/lib/domain/preview-key";
import { processSingleton } from "@/lib/singleton";
import { announcePreview, onPreview } from "./changes";

// Previews of what the model is writing, throttled per job: however fast tokens arrive and
// however many days are written at once, a job's watchers get at most one batch of
// previews every PREVIEW_INTERVAL_MS (each batch carries the parts that changed since the
// last). The latest preview of each part is kept in memory, so a watcher that connects
// mid-step sees it at once, until the part's step ends and clears it.

export const PREVIEW_INTERVAL_MS = 250;
/** A preview nobody updated for this long belongs to a step that died with its process. */
const STALE_MS = 5 * 60_000;

interface JobPreviews {
  /** What watchers have been sent, by part. */
  latest: Map<string, { preview: Preview; at: number }>;
  /** Written since the last batch, by part. */
  pending: Map<string, Preview>;
  timer: ReturnType<typeof setTimeout> | null;
  lastBatchAt: number;
}

const jobs = () => processSingleton("previews", () => new Map<string, JobPreviews>());

function flush(id: string): void {
  const job = jobs().get(id);
  if (!job) return;
  job.timer = null;
  job.lastBatchAt = Date.now();
  for (const [key, preview] of job.pending) {
    job.latest.set(key, { preview, at: job.lastBatchAt });
    announcePreview(id, preview);
  }
  job.pending.clear();
}

/** Queues `preview` for job `id`'s watchers; sent with the job's next batch. */
export function publishPreview(id: string, preview: Omit<Preview, "value"> & { value: Record<string, unknown> }): void {
  let job = jobs().get(id);
  if (!job) {
    job = { latest: new Map(), pending: new Map(), timer: null, lastBatchAt: 0 };
    jobs().set(id, job);
  }
  job.pending.set(previewKey(preview), preview);
  if (job.timer) return;
  const wait = Math.max(0, job.lastBatchAt + PREVIEW_INTERVAL_MS - Date.now());
  job.timer = setTimeout(() => flush(id), wait);
  job.timer.unref?.();
}

/**
 * Ends the preview of one part: its step's result landed (`withdraw` false: watchers get
 * the result itself in the next snapshot) or its step failed (`withdraw` true: watchers are
 * told to drop what they show).
 */
export function endPreview(id: string, part: Pick<Preview, "part" | "day" | "attempt">, { withdraw }: { withdraw: boolean }): void {
  const job = jobs().get(id);
  const key = previewKey(part);
  if (job) {
    job.pending.delete(key);
    job.latest.delete(key);
    if (job.pending.size === 0 && job.timer) {
      clearTimeout(job.timer);
      job.timer = null;
    }
    // Forgotten once idle, but not before the interval is over: the job's next preview
    // (the days after the outline) still waits its turn.
    if (job.latest.size === 0 && job.pending.size === 0) {
      const forget = setTimeout(() => {
        const now = jobs().get(id);
        if (now && now.latest.size === 0 && now.pending.size === 0) jobs().delete(id);
      }, PREVIEW_INTERVAL_MS);
      forget.unref?.();
    }
  }
  // Withdrawn even if this process sent nothing: an earlier attempt elsewhere may have.
  if (withdraw) announcePreview(id, { part: part.part, day: part.day, attempt: part.attempt, value: null });
}

/** The previews of job `id` on show now (what a new watcher starts from). */
export function currentPreviews(id: string): Preview[] {
  const job = jobs().get(id);
  if (!job) return [];
  const now = Date.now();
  for (const [key, entry] of job.latest) if (now - entry.at > STALE_MS) job.latest.delete(key);
  return [...job.latest.values()].map((entry) => entry.preview);
}

/**
 * Follows job `id`'s previews: first those on show now, then each one as it is announced
 * (here or, through the change feed, elsewhere). Returns the function that stops it.
 */
export function followPreviews(id: string, listener: (preview: Preview) => void): () => void {
  const stop = onPreview(id, listener);
  for (const preview of currentPreviews(id)) listener(preview);
  return stop;
}
