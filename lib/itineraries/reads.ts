import "server-only";
import { findItineraryById, listItineraryRows, type ListCursor } from "@/lib/db/queries/itineraries";
import { findItineraryWithDays, type ItineraryWithDays } from "@/lib/db/queries/job-with-days";
import type { ItineraryRow } from "@/lib/db/schema";
import type { ItineraryStatus } from "@/lib/domain/constants";
import { jobIdSchema } from "@/lib/domain/trip";
import { AppError } from "@/lib/errors";

// Reading jobs: every reader of one job (the JSON route, the status page, the event stream,
// the commands' answers) goes through one loader, the job with the days landed so far;
// presenting it is lib/domain/presenter.ts.

export type { ItineraryWithDays, ListCursor };

const notFound = () => new AppError("not_found", "No itinerary has this id.");

/** A job id is a UUID; anything else is "not found" without touching the database. */
export function requireJobId(id: string): void {
  if (!jobIdSchema.safeParse(id).success) throw notFound();
}

/** The job and the days landed so far, in one read; null for an unknown or malformed id. */
export async function getItinerary(id: string): Promise<ItineraryWithDays | null> {
  if (!jobIdSchema.safeParse(id).success) return null;
  return findItineraryWithDays({ id });
}

export async function requireItinerary(id: string): Promise<ItineraryWithDays> {
  const found = await getItinerary(id);
  if (!found) throw notFound();
  return found;
}

/** The job row alone (a cheap read, e.g. to answer a conditional GET); 404 if unknown. */
export async function requireItineraryRow(id: string): Promise<ItineraryRow> {
  requireJobId(id);
  const job = await findItineraryById({ id });
  if (!job) throw notFound();
  return job;
}

/** An owner's jobs, newest first (null: the ownerless ones). History is private. */
export async function listItineraries({
  limit = 20,
  before,
  status,
  ownerKey,
}: {
  limit?: number;
  before?: ListCursor;
  status?: ItineraryStatus;
  ownerKey: string | null;
}): Promise<ItineraryRow[]> {
  return listItineraryRows({ limit, before, status, ownerKey });
}
