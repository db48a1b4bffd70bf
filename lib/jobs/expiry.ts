import "server-only";
import { deleteEndedItinerariesCreatedBefore } from "@/lib/db/queries/itineraries";
import { env } from "@/lib/env";
import { notifyItineraryChanged } from "@/lib/live/changes";
import { logger } from "@/lib/logger";
import { scheduleRepeating } from "./repeat";

// Jobs are kept JOB_RETENTION_DAYS after they were requested, then deleted with their days
// and steps. Inngest runs this as a daily cron; the local runner on a timer. A job still
// processing is never deleted here: the sweeper ends it first (JOB_MAX_AGE_SECONDS is far
// shorter than any retention), and the next run deletes it.

const DAY_MS = 24 * 60 * 60 * 1000;

/** Rows deleted per statement: short transactions, however much has piled up. */
export const EXPIRY_BATCH_SIZE = 500;
/** Batches per run; anything left waits for the next run rather than holding a request open. */
export const EXPIRY_MAX_BATCHES = 20;
/** How often the local runner looks for expired jobs. Retention is counted in days. */
export const LOCAL_EXPIRY_INTERVAL_MS = 60 * 60 * 1000;

export interface ExpiryResult {
  /** Jobs deleted by this run. */
  deleted: number;
  /** Jobs created before this moment were due (null when retention is off). */
  cutoff: string | null;
  /** True when a batch limit stopped the run with more left to delete. */
  more: boolean;
}

export interface ExpiryOptions {
  now?: Date;
  retentionDays?: number;
  batchSize?: number;
  maxBatches?: number;
}

export async function expireOldItineraries({
  now = new Date(),
  retentionDays = env().JOB_RETENTION_DAYS,
  batchSize = EXPIRY_BATCH_SIZE,
  maxBatches = EXPIRY_MAX_BATCHES,
}: ExpiryOptions = {}): Promise<ExpiryResult> {
  if (retentionDays === 0) return { deleted: 0, cutoff: null, more: false };
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  let deleted = 0;
  let more = false;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const ids = await deleteEndedItinerariesCreatedBefore({ createdBefore: cutoff, limit: batchSize });
    for (const id of ids) notifyItineraryChanged(id);
    deleted += ids.length;
    more = ids.length === batchSize;
    if (!more) break;
  }
  if (deleted > 0) {
    logger("expiry").info(
      { deleted, retentionDays, cutoff: cutoff.toISOString(), more },
      `deleted ${deleted} job(s) older than ${retentionDays} day(s)`,
    );
  }
  return { deleted, cutoff: cutoff.toISOString(), more };
}

/** Deletes expired jobs now and then every hour in this process (local runner). */
export function scheduleExpiry(): void {
  if (env().JOB_RETENTION_DAYS === 0) return;
  if (scheduleRepeating("expiry", LOCAL_EXPIRY_INTERVAL_MS, () => expireOldItineraries())) {
    expireOldItineraries().catch((error: unknown) => logger("expiry").error({ err: error }, "expiry failed"));
  }
}
