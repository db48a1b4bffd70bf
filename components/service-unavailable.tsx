import Link from "next/link";

/**
 * The digest a page's error carries when the database is unreachable. Production hides an
 * error's message from the browser but keeps its digest, so the error pages can tell an
 * outage (try again shortly) from a bug.
 */
export const DATABASE_UNAVAILABLE_DIGEST = "itinera-database-unavailable";

/** What a traveller sees while the trips cannot be read. */
export function ServiceUnavailable() {
  return (
    <div data-testid="service-unavailable" className="space-y-4">
      <h1 className="text-2xl font-bold">Your trips are out of reach for a moment</h1>
      <p>We cannot reach the place where itineraries are kept. Nothing is lost: please try again in a minute.</p>
      <p>
        <Link href="/" className="font-medium text-brand-700 underline dark:text-brand-100">
          Back to the start page
        </Link>
      </p>
    </div>
  );
}
