import "server-only";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/components/service-unavailable";
import { noteDatabaseAvailable, noteDatabaseUnavailable } from "@/lib/db/availability";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";

/**
 * A page's read of the database. When the database cannot be reached the error thrown
 * carries a digest the error pages recognise (and nothing of the driver's message).
 */
export async function readOrUnavailable<T>(read: () => Promise<T>): Promise<T> {
  try {
    const result = await read();
    noteDatabaseAvailable();
    return result;
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    // proxy.ts answers the next page requests with 503 until the database answers again.
    noteDatabaseUnavailable();
    throw Object.assign(new Error("The database is unavailable."), { digest: DATABASE_UNAVAILABLE_DIGEST });
  }
}
