import "server-only";
import { insertItinerary, insertItineraryWithinLimits, type ClientUsage } from "@/lib/db/queries/itineraries";
import type { ItineraryRow, NewItineraryRow } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

// Abuse limits on job creation, counted from our own rows so they hold across server
// instances: at most RATE_LIMIT_MAX_JOBS per window and MAX_CONCURRENT_JOBS_PER_CLIENT
// processing at once, per client. The check and the insert are one atomic step, so
// parallel requests cannot slip past the limits together. Who a client is: lib/api/caller.ts.

function refusal(usage: ClientUsage, now: Date): AppError {
  const { RATE_LIMIT_MAX_JOBS, RATE_LIMIT_WINDOW_SECONDS, MAX_CONCURRENT_JOBS_PER_CLIENT } = env();
  if (RATE_LIMIT_MAX_JOBS > 0 && usage.recent >= RATE_LIMIT_MAX_JOBS) {
    const freesAt = (usage.oldestRecent?.getTime() ?? now.getTime()) + RATE_LIMIT_WINDOW_SECONDS * 1000;
    const retryAfter = Math.max(1, Math.ceil((freesAt - now.getTime()) / 1000));
    return new AppError(
      "rate_limited",
      `Too many itineraries requested: at most ${RATE_LIMIT_MAX_JOBS} every ${RATE_LIMIT_WINDOW_SECONDS} seconds. Try again in ${retryAfter} s.`,
      { limit: RATE_LIMIT_MAX_JOBS, windowSeconds: RATE_LIMIT_WINDOW_SECONDS },
      retryAfter,
    );
  }
  return new AppError(
    "too_many_active_jobs",
    `You already have ${usage.active} itineraries being generated; wait for one to finish.`,
    { limit: MAX_CONCURRENT_JOBS_PER_CLIENT },
    10,
  );
}

/** Inserts the job if its client is within its limits; otherwise a 429 naming the limit. */
export async function insertWithinClientLimits(
  values: NewItineraryRow & { clientKey: string },
  now: Date = new Date(),
): Promise<ItineraryRow> {
  const { RATE_LIMIT_MAX_JOBS, RATE_LIMIT_WINDOW_SECONDS, MAX_CONCURRENT_JOBS_PER_CLIENT } = env();
  // With both limits off there is nothing to count: a plain insert, no transaction.
  if (RATE_LIMIT_MAX_JOBS === 0 && MAX_CONCURRENT_JOBS_PER_CLIENT === 0) return insertItinerary(values);
  const { job, refusedBy } = await insertItineraryWithinLimits({
    values,
    limits: {
      since: new Date(now.getTime() - RATE_LIMIT_WINDOW_SECONDS * 1000),
      maxRecent: RATE_LIMIT_MAX_JOBS,
      maxActive: MAX_CONCURRENT_JOBS_PER_CLIENT,
    },
  });
  if (refusedBy) throw refusal(refusedBy, now);
  return job;
}
