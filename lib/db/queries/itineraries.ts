import "server-only";
import { and, desc, eq, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { ItineraryStatus } from "@/lib/domain/trip";
import { getDb } from "../client";
import { rowsOf } from "../rows";
import {
  itineraries,
  itineraryDays,
  jobSteps,
  type ItineraryDayRow,
  type ItineraryRow,
  type NewItineraryRow,
} from "../schema";

// The statements on a job's row: a statement in, rows out, no side effects. Whoever makes
// a change announces it (lib/live/changes.ts). Every write that ends a job is conditional
// on `status = 'processing'`, so a step that finishes after a cancel or a failure cannot
// flip the job back.

export async function insertItinerary(values: NewItineraryRow): Promise<ItineraryRow> {
  const db = await getDb();
  const [row] = await db.insert(itineraries).values(values).returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

export async function findItineraryById({ id }: { id: string }): Promise<ItineraryRow | null> {
  const db = await getDb();
  const [row] = await db.select().from(itineraries).where(eq(itineraries.id, id)).limit(1);
  return row ?? null;
}

export async function findItineraryByIdempotencyKey({
  key,
}: {
  key: string;
}): Promise<ItineraryRow | null> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(itineraries)
    .where(eq(itineraries.idempotencyKey, key))
    .limit(1);
  return row ?? null;
}

export interface ListCursor {
  createdAt: Date;
  id: string;
}

export async function listItineraryRows({
  limit,
  before,
  status,
  ownerKey,
}: {
  limit: number;
  before?: ListCursor;
  status?: ItineraryStatus;
  /** Only the jobs this API key created; null: only jobs created without a key. */
  ownerKey?: string | null;
}): Promise<ItineraryRow[]> {
  const db = await getDb();
  const conditions = [
    status ? eq(itineraries.status, status) : undefined,
    ownerKey === null ? isNull(itineraries.ownerKey) : undefined,
    ownerKey ? eq(itineraries.ownerKey, ownerKey) : undefined,
    before
      ? or(
          lt(itineraries.createdAt, before.createdAt),
          and(eq(itineraries.createdAt, before.createdAt), lt(itineraries.id, before.id)),
        )
      : undefined,
  ].filter((condition) => condition !== undefined);
  return db
    .select()
    .from(itineraries)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(itineraries.createdAt), desc(itineraries.id))
    .limit(limit);
}

export async function listDayRows({
  itineraryId,
}: {
  itineraryId: string;
}): Promise<ItineraryDayRow[]> {
  const db = await getDb();
  return db
    .select()
    .from(itineraryDays)
    .where(eq(itineraryDays.itineraryId, itineraryId))
    .orderBy(itineraryDays.day);
}

const isProcessing = (id: string) =>
  and(eq(itineraries.id, id), eq(itineraries.status, "processing"));

/** Ends a processing job as failed or cancelled; false when it had already ended. */
export async function endItinerary({
  id,
  status,
  error,
}: {
  id: string;
  status: "failed" | "cancelled";
  error: string | null;
}): Promise<boolean> {
  const db = await getDb();
  const now = new Date();
  const rows = await db
    .update(itineraries)
    .set({ status, error, updatedAt: now, completedAt: now })
    .where(isProcessing(id))
    .returning({ id: itineraries.id });
  return rows.length > 0;
}

export async function listProcessingIds(): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: itineraries.id })
    .from(itineraries)
    .where(eq(itineraries.status, "processing"))
    .orderBy(itineraries.createdAt);
  return rows.map((row) => row.id);
}

export interface ClientUsage {
  /** Jobs created since `since`. */
  recent: number;
  /** Jobs still processing. */
  active: number;
  /** The oldest job created since `since`, to say when the window frees a slot. */
  oldestRecent: Date | null;
}

/** One round trip for both per-client limits. */
export async function findClientUsage({
  clientKey,
  since,
}: {
  clientKey: string;
  since: Date;
}): Promise<ClientUsage> {
  const db = await getDb();
  const recentFilter = sql`${itineraries.createdAt} > ${since.toISOString()}`;
  const [row] = await db
    .select({
      recent: sql<number>`count(*) filter (where ${recentFilter})`.mapWith(Number),
      active: sql<number>`count(*) filter (where ${itineraries.status} = 'processing')`.mapWith(Number),
      oldestRecent: sql<string | null>`min(${itineraries.createdAt}) filter (where ${recentFilter})`,
    })
    .from(itineraries)
    .where(
      and(
        eq(itineraries.clientKey, clientKey),
        or(sql`${recentFilter}`, eq(itineraries.status, "processing")),
      ),
    );
  return {
    recent: row?.recent ?? 0,
    active: row?.active ?? 0,
    oldestRecent: row?.oldestRecent ? new Date(row.oldestRecent) : null,
  };
}

/** Processing jobs whose last progress is older than `updatedBefore`. */
export async function listStaleProcessing({
  updatedBefore,
}: {
  updatedBefore: Date;
}): Promise<Array<{ id: string; createdAt: Date; updatedAt: Date }>> {
  const db = await getDb();
  return db
    .select({ id: itineraries.id, createdAt: itineraries.createdAt, updatedAt: itineraries.updatedAt })
    .from(itineraries)
    .where(and(eq(itineraries.status, "processing"), lt(itineraries.updatedAt, updatedBefore)))
    .orderBy(itineraries.createdAt);
}

/**
 * A failed or cancelled job goes back to processing (retry), in one statement: its memoized
 * steps are cleared (a fresh run replays nothing; stored days and the outline are reused).
 * False if it was not ended so (or does not exist).
 */
export async function reopenItinerary({ id }: { id: string }): Promise<boolean> {
  const db = await getDb();
  const result = await db.execute(sql`
    with reopened as (
      update ${itineraries} set status = 'processing', error = null, completed_at = null,
        updated_at = ${new Date().toISOString()}::timestamptz
      where ${itineraries.id} = ${id} and ${itineraries.status} in ('failed', 'cancelled')
      returning ${itineraries.id}
    ), cleared as (
      delete from ${jobSteps} where ${jobSteps.jobId} in (select id from reopened)
    )
    select id from reopened`);
  return rowsOf(result).length > 0;
}

/** Deletes the job; its days and steps go with it (ON DELETE CASCADE). */
export async function deleteItineraryRow({ id }: { id: string }): Promise<boolean> {
  const db = await getDb();
  const rows = await db.delete(itineraries).where(eq(itineraries.id, id)).returning({ id: itineraries.id });
  return rows.length > 0;
}

/** Frees an expired idempotency key so a new request may use it. */
export async function releaseIdempotencyKey({ id }: { id: string }): Promise<void> {
  const db = await getDb();
  await db.update(itineraries).set({ idempotencyKey: null }).where(eq(itineraries.id, id));
}

/**
 * Deletes up to `limit` jobs created before `createdBefore` that have ended (a job still
 * processing is left to the sweeper), oldest first; their days and steps go with them.
 * Returns the deleted ids.
 */
export async function deleteEndedItinerariesCreatedBefore({
  createdBefore,
  limit,
}: {
  createdBefore: Date;
  limit: number;
}): Promise<string[]> {
  const db = await getDb();
  const expired = db
    .select({ id: itineraries.id })
    .from(itineraries)
    .where(and(lt(itineraries.createdAt, createdBefore), ne(itineraries.status, "processing")))
    .orderBy(itineraries.createdAt)
    .limit(limit);
  const rows = await db
    .delete(itineraries)
    .where(inArray(itineraries.id, expired))
    .returning({ id: itineraries.id });
  return rows.map((row) => row.id);
}
