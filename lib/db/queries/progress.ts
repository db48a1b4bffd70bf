import "server-only";
import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { DayPlan, OutlineDetails, OutlineSkeleton, TokenUsage } from "@/lib/domain/trip";
import { getDb } from "../client";
import { rowsOf } from "../rows";
import { itineraries, itineraryDays, type ItineraryRow } from "../schema";

// What the generation steps read and write, one database round trip each: a job has many
// days, each step runs for every one of them, and on a hosted database every round trip is
// a network hop. Like every write that moves a job forward, the writes only touch a job
// that is still `processing`.

/** Progress: the outline is the first 10 %, the days the next 80 %, finalize the rest. */
export const OUTLINE_PROGRESS = 10;

export async function saveOutline({
  id,
  outline,
  usage,
}: {
  id: string;
  outline: OutlineSkeleton;
  usage: TokenUsage;
}): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(itineraries)
    .set({ outline, usage, progress: OUTLINE_PROGRESS, updatedAt: new Date() })
    // The first outline wins: a concurrent duplicate run must not swap the day themes.
    .where(and(eq(itineraries.id, id), eq(itineraries.status, "processing"), isNull(itineraries.outline)))
    .returning({ id: itineraries.id });
  return rows.length > 0;
}

/** `stored` (a usage jsonb) plus `usage`, as jsonb; null stays null. */
const plusUsage = (stored: SQL, usage: TokenUsage) => sql`jsonb_build_object(
  'inputTokens', (${stored}->>'inputTokens')::bigint + ${usage.inputTokens},
  'outputTokens', (${stored}->>'outputTokens')::bigint + ${usage.outputTokens},
  'totalTokens', (${stored}->>'totalTokens')::bigint + ${usage.totalTokens})`;

/**
 * Adds the outline's details (summary, tips, time zone, centre) to its skeleton, once: a
 * repeat is ignored. Their usage joins the outline's on the row, so it is counted however
 * often the step runs (a lost checkpoint, a retried job). False when the job is no longer
 * processing or has no skeleton.
 */
export async function saveOutlineDetails({
  id,
  details,
  usage,
}: {
  id: string;
  details: OutlineDetails;
  usage: TokenUsage;
}): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(itineraries)
    .set({
      outline: sql`${itineraries.outline} || ${JSON.stringify(details)}::jsonb`,
      usage: sql`case when ${itineraries.usage} is null then ${JSON.stringify(usage)}::jsonb
        else ${plusUsage(sql`${itineraries.usage}`, usage)} end`,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(itineraries.id, id),
        eq(itineraries.status, "processing"),
        sql`${itineraries.outline} is not null and not (${itineraries.outline} ? 'summary')`,
      ),
    )
    .returning({ id: itineraries.id });
  return rows.length > 0;
}


export interface DayStepState {
  job: ItineraryRow | null;
  /** The day's stored row, when an earlier run already wrote it. */
  stored: { usage: TokenUsage | null } | null;
}

/** The job and whether this day is already stored, in one read. */
export async function findDayStepState({ id, day }: { id: string; day: number }): Promise<DayStepState> {
  const db = await getDb();
  const [row] = await db
    .select({ job: itineraries, storedDay: itineraryDays.day, storedUsage: itineraryDays.usage })
    .from(itineraries)
    .leftJoin(itineraryDays, and(eq(itineraryDays.itineraryId, itineraries.id), eq(itineraryDays.day, day)))
    .where(eq(itineraries.id, id))
    .limit(1);
  if (!row) return { job: null, stored: null };
  return { job: row.job, stored: row.storedDay === null ? null : { usage: row.storedUsage } };
}

/**
 * Stores one day (once: a repeat is ignored) and moves progress on, in one statement. The
 * job's row is locked first, so a cancel that commits meanwhile stops the write. Progress
 * counts the days stored before this statement plus this one; a day committed by another
 * connection while this one waited for the lock may be missed until the next day lands
 * (finalize sets 100), so it only ever moves forward.
 */
export async function saveDay({ id, plan, usage }: { id: string; plan: DayPlan; usage: TokenUsage }): Promise<boolean> {
  const db = await getDb();
  const result = await db.execute(sql`
    with job as (
      select id, duration_days from ${itineraries}
      where id = ${id} and status = 'processing'
      for update
    ), stored as (
      insert into ${itineraryDays} (itinerary_id, day, plan, usage)
      select job.id, ${plan.day}, ${JSON.stringify(plan)}::jsonb, ${JSON.stringify(usage)}::jsonb from job
      on conflict do nothing
      returning day
    )
    update ${itineraries} set
      progress = greatest(${itineraries.progress}, ${OUTLINE_PROGRESS} + (80 * (
        (select count(*) from ${itineraryDays} where itinerary_id = ${id}) + (select count(*) from stored)
      ) / job.duration_days)::int),
      updated_at = ${new Date().toISOString()}::timestamptz
    from job
    where ${itineraries.id} = job.id
    returning ${itineraries.id}`);
  return rowsOf(result).length > 0;
}

/**
 * Completes the job from its stored days, in one statement: only while it is processing
 * and only once every day 1…N is stored. Returns the number of days, or null when it did
 * not complete (the caller finds out why).
 *
 * Its usage is what the stored answers cost: the outline's and its details' (on the row)
 * plus each day's, however many times their steps ran. `usage`, the run's own sum, stands
 * in only when some stored part has no usage (rows written before usage was kept).
 */
export async function completeFromStoredDays({ id, usage }: { id: string; usage: TokenUsage }): Promise<number | null> {
  const db = await getDb();
  const now = new Date().toISOString();
  const result = await db.execute(sql`
    update ${itineraries} set
      status = 'completed',
      itinerary = (select jsonb_agg(plan order by day) from ${itineraryDays}
                   where itinerary_id = ${id} and day between 1 and ${itineraries.durationDays}),
      usage = coalesce((
        select case when ${itineraries.usage} is not null and bool_and(d.usage is not null) then jsonb_build_object(
          'inputTokens', (${itineraries.usage}->>'inputTokens')::bigint + sum((d.usage->>'inputTokens')::bigint),
          'outputTokens', (${itineraries.usage}->>'outputTokens')::bigint + sum((d.usage->>'outputTokens')::bigint),
          'totalTokens', (${itineraries.usage}->>'totalTokens')::bigint + sum((d.usage->>'totalTokens')::bigint)) end
        from ${itineraryDays} d where d.itinerary_id = ${id} and d.day between 1 and ${itineraries.durationDays}
      ), ${JSON.stringify(usage)}::jsonb),
      progress = 100,
      updated_at = ${now}::timestamptz,
      completed_at = ${now}::timestamptz
    where ${itineraries.id} = ${id} and ${itineraries.status} = 'processing'
      and (select count(*) from ${itineraryDays}
           where itinerary_id = ${id} and day between 1 and ${itineraries.durationDays}) = ${itineraries.durationDays}
    returning ${itineraries.durationDays} as days`);
  const [row] = rowsOf<{ days: number | string }>(result);
  return row ? Number(row.days) : null;
}
