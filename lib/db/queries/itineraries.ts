import "server-only";
import { and, desc, eq, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { Owner } from "@/lib/domain/owner";
import type { ItineraryStatus } from "@/lib/domain/trip";
import { getDb, withTransaction } from "../client";
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

/** The job an owner (null: the ownerless) created with this Idempotency-Key. */
export async function findItineraryByIdempotencyKey({
  key,
  ownerKey,
}: {
  key: string;
  ownerKey: string | null;
}): Promise<ItineraryRow | null> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(itineraries)
    .where(
      and(
        eq(itineraries.idempotencyKey, key),
        ownerKey === null ? isNull(itineraries.ownerKey) : eq(itineraries.ownerKey, ownerKey),
      ),
    )
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
  /** Only this owner's jobs; null: only ownerless jobs. */
  ownerKey: string | null;
}): Promise<ItineraryRow[]> {
  const db = await getDb();
  const conditions = [
    status ? eq(itineraries.status, status) : undefined,
    ownerKey === null ? isNull(itineraries.ownerKey) : eq(itineraries.ownerKey, ownerKey),
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

/** Rows `changer` may change (lib/domain/owner.ts says the rule; this is it in SQL). */
const changeableBy = (changer: Owner) =>
  or(
    changer.ownerKey === null ? sql`false` : eq(itineraries.ownerKey, changer.ownerKey),
    changer.openMode ? isNull(itineraries.ownerKey) : sql`false`,
  );

/**
 * Ends a processing job as failed or cancelled; false when it had already ended (or, given
 * a `changer`, is not theirs to change).
 */
export async function endItinerary({
  id,
  status,
  error,
  changer,
}: {
  id: string;
  status: "failed" | "cancelled";
  error: string | null;
  changer?: Owner;
}): Promise<boolean> {
  const db = await getDb();
  const now = new Date();
  const rows = await db
    .update(itineraries)
    .set({ status, error, updatedAt: now, completedAt: now })
    .where(and(isProcessing(id), changer ? changeableBy(changer) : undefined))
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

export interface ClientLimits {
  since: Date;
  /** Most jobs created since `since`; 0 for no limit. */
  maxRecent: number;
  /** Most jobs processing at once; 0 for no limit. */
  maxActive: number;
}

/**
 * Inserts a job unless its client is over its limits, atomically: in one transaction that
 * first takes a lock per client (a transaction-scoped advisory lock), so parallel requests
 * of one client count each other's rows and never exceed the limits together. Answers the
 * job, or the usage that refused it.
 */
export async function insertItineraryWithinLimits({
  values,
  limits,
}: {
  values: NewItineraryRow & { clientKey: string };
  limits: ClientLimits;
}): Promise<{ job: ItineraryRow; refusedBy: null } | { job: null; refusedBy: ClientUsage }> {
  return withTransaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${values.clientKey}, 0))`);
    const recentFilter = sql`${itineraries.createdAt} > ${limits.since.toISOString()}`;
    const [row] = await tx
      .select({
        recent: sql<number>`count(*) filter (where ${recentFilter})`.mapWith(Number),
        active: sql<number>`count(*) filter (where ${itineraries.status} = 'processing')`.mapWith(Number),
        oldestRecent: sql<string | null>`min(${itineraries.createdAt}) filter (where ${recentFilter})`,
      })
      .from(itineraries)
      .where(and(eq(itineraries.clientKey, values.clientKey), or(recentFilter, eq(itineraries.status, "processing"))));
    const usage: ClientUsage = {
      recent: row?.recent ?? 0,
      active: row?.active ?? 0,
      oldestRecent: row?.oldestRecent ? new Date(row.oldestRecent) : null,
    };
    const over =
      (limits.maxRecent > 0 && usage.recent >= limits.maxRecent) || (limits.maxActive > 0 && usage.active >= limits.maxActive);
    if (over) return { job: null, refusedBy: usage };
    const [job] = await tx.insert(itineraries).values(values).returning();
    if (!job) throw new Error("insert returned no row");
    return { job, refusedBy: null };
  });
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
 * False if it was not ended so, does not exist, or is not `changer`'s to change.
 */
export async function reopenItinerary({ id, changer }: { id: string; changer: Owner }): Promise<boolean> {
  const db = await getDb();
  const result = await db.execute(sql`
    with reopened as (
      update ${itineraries} set status = 'processing', error = null, completed_at = null,
        updated_at = ${new Date().toISOString()}::timestamptz
      where ${itineraries.id} = ${id} and ${itineraries.status} in ('failed', 'cancelled')
        and (${changeableBy(changer)})
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

/**
 * Deletes the job as deleteItineraryRow does, and says what was running on it when it went:
 * its status and its days' states (a completed job may have a day being revised). Null
 * when there was no such job.
 */
export async function deleteItineraryRowReturning({
  id,
}: {
  id: string;
}): Promise<Pick<ItineraryRow, "status" | "dayStates"> | null> {
  const db = await getDb();
  const [row] = await db
    .delete(itineraries)
    .where(eq(itineraries.id, id))
    .returning({ status: itineraries.status, dayStates: itineraries.dayStates });
  return row ?? null;
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
