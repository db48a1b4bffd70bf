import "server-only";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/components/service-unavailable";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";

/**
 * A page's read of the database. When the database cannot be reached the error thrown
 * carries a digest the error pages recognise (and nothing of the driver's message).
 */
export async function readOrUnavailable<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    // Rare: proxy.ts answers 503 up front when the database does not answer its probe.
    throw Object.assign(new Error("The database is unavailable."), { digest: DATABASE_UNAVAILABLE_DIGEST });
  }
}
