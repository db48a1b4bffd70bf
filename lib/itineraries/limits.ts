import "server-only";
import { createHash } from "node:crypto";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { findClientUsage } from "@/lib/db/queries/itineraries";

// Abuse limits on job creation, counted from our own rows so they hold across server
// instances: at most RATE_LIMIT_MAX_JOBS per window and MAX_CONCURRENT_JOBS_PER_CLIENT
// processing at once, per client.

/** Who is asking: the first forwarded address (set by Vercel or a proxy), hashed. */
export function clientKeyFromHeaders(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const address = forwarded || headers.get("x-real-ip")?.trim() || "unknown";
  return createHash("sha256").update(address).digest("hex").slice(0, 32);
}

export async function enforceClientLimits(clientKey: string, now: Date = new Date()): Promise<void> {
  const { RATE_LIMIT_MAX_JOBS, RATE_LIMIT_WINDOW_SECONDS, MAX_CONCURRENT_JOBS_PER_CLIENT } = env();
  if (RATE_LIMIT_MAX_JOBS === 0 && MAX_CONCURRENT_JOBS_PER_CLIENT === 0) return;
  const windowMs = RATE_LIMIT_WINDOW_SECONDS * 1000;
  const usage = await findClientUsage({ clientKey, since: new Date(now.getTime() - windowMs) });

  if (RATE_LIMIT_MAX_JOBS > 0 && usage.recent >= RATE_LIMIT_MAX_JOBS) {
    const freesAt = (usage.oldestRecent?.getTime() ?? now.getTime()) + windowMs;
    const retryAfter = Math.max(1, Math.ceil((freesAt - now.getTime()) / 1000));
    throw new AppError(
      "rate_limited",
      `Too many itineraries requested: at most ${RATE_LIMIT_MAX_JOBS} every ${RATE_LIMIT_WINDOW_SECONDS} seconds. Try again in ${retryAfter} s.`,
      { limit: RATE_LIMIT_MAX_JOBS, windowSeconds: RATE_LIMIT_WINDOW_SECONDS },
      retryAfter,
    );
  }
  if (MAX_CONCURRENT_JOBS_PER_CLIENT > 0 && usage.active >= MAX_CONCURRENT_JOBS_PER_CLIENT) {
    throw new AppError(
      "too_many_active_jobs",
      `You already have ${usage.active} itineraries being generated; wait for one to finish.`,
      { limit: MAX_CONCURRENT_JOBS_PER_CLIENT },
      10,
    );
  }
}
