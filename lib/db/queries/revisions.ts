import "server-only";
import { and, eq, isNotNull, lt, sql } from "drizzle-orm";
import { mayChange, type Owner } from "@/lib/domain/owner";
import {
  dayStateOf,
  withoutActivity,
  type DayRevisionState,
  type DayRevisionStates,
} from "@/lib/domain/revision";
import type { DayPlan, StoredDayPlan, TokenUsage } from "@/lib/domain/trip";
import { getDb, withTransaction, type Database } from "../client";
import { itineraries, itineraryDayRevisions, type ItineraryRow } from "../schema";

// Day revisions, each in one transaction over the job's locked row: the row holds the plan
// on show (`itinerary`) and where each day stands (`day_states`); the revisions table keeps
// every plan a day has had, so undo can step back. Locking the row makes each change see
// the one before it (two revisions of one day never both start; undo never races a landing).

/** Why a change was refused; the command turns it into 404 or 409. */
export type Refusal =
  | { refused: "not_found" }
  | { refused: "not_completed"; status: ItineraryRow["status"] }
  | { refused: "revising" }
  | { refused: "nothing_to_undo" }
  | { refused: "no_such_activity" };

type Changed = { refused?: undefined; job: ItineraryRow; revision: number };

async function lockJob(tx: Database, id: string): Promise<ItineraryRow | null> {
  const [job] = await tx.select().from(itineraries).where(eq(itineraries.id, id)).for("update");
  return job ?? null;
}

/** The locked job, if `changer` may change day `day` of it now; else why not. */
async function changeableDay(
  tx: Database,
  { id, day, changer }: { id: string; day: number; changer: Owner | null },
): Promise<{ job: ItineraryRow; plan: StoredDayPlan; state: DayRevisionState } | Refusal> {
  const job = await lockJob(tx, id);
  if (!job || (changer && !mayChange(job, changer))) return { refused: "not_found" };
  if (!Number.isInteger(day) || day < 1 || day > job.durationDays) return { refused: "not_found" };
  if (job.status !== "completed" || !job.itinerary) return { refused: "not_completed", status: job.status };
  const plan = job.itinerary.find((entry) => entry.day === day);
  if (!plan) return { refused: "not_found" };
  return { job, plan, state: dayStateOf(job.dayStates, day) };
}

const withState = (states: DayRevisionStates, day: number, state: DayRevisionState): DayRevisionStates => ({
  ...states,
  [String(day)]: state,
});

const withPlan = (days: readonly StoredDayPlan[], plan: StoredDayPlan): StoredDayPlan[] =>
  days.map((entry) => (entry.day === plan.day ? plan : entry));

async function writeJob(tx: Database, id: string, set: Partial<Pick<ItineraryRow, "itinerary" | "dayStates">>) {
  const [job] = await tx
    .update(itineraries)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(itineraries.id, id))
    .returning();
  return job!;
}

/** Stores revision 1 (the plan the trip was written with) while it is the one on show. */
async function keepGenerated(tx: Database, id: string, day: number, plan: StoredDayPlan, state: DayRevisionState) {
  if (state.revision !== 1) return;
  await tx
    .insert(itineraryDayRevisions)
    .values({ itineraryId: id, day, revision: 1, parent: null, kind: "generated", plan })
    .onConflictDoNothing();
}

async function revisionWithKey(tx: Database, id: string, idempotencyKey: string) {
  const [row] = await tx
    .select({ day: itineraryDayRevisions.day, revision: itineraryDayRevisions.revision })
    .from(itineraryDayRevisions)
    .where(
      and(
        eq(itineraryDayRevisions.itineraryId, id),
        isNotNull(itineraryDayRevisions.idempotencyKey),
        eq(itineraryDayRevisions.idempotencyKey, idempotencyKey),
      ),
    );
  return row ?? null;
}

/**
 * Marks day `day` as revising, with the next revision number, unless the request is a
 * repeat (same Idempotency-Key: `repeat` true, nothing changes) or refused.
 */
export function requestDayRevision(input: {
  id: string;
  day: number;
  instruction: string;
  idempotencyKey: string | null;
  changer: Owner;
}): Promise<(Changed & { repeat: boolean }) | Refusal> {
  const { id, day, instruction, idempotencyKey, changer } = input;
  return withTransaction(async (tx) => {
    const found = await changeableDay(tx, { id, day, changer });
    if ("refused" in found) return found;
    const { job, state } = found;
    if (idempotencyKey) {
      if (state.pending?.idempotencyKey === idempotencyKey) return { job, revision: state.pending.revision, repeat: true };
      const landed = await revisionWithKey(tx, id, idempotencyKey);
      if (landed?.day === day) return { job, revision: landed.revision, repeat: true };
    }
    if (state.state === "revising") return { refused: "revising" };
    const revision = state.latest + 1;
    const next: DayRevisionState = {
      ...state,
      latest: revision,
      state: "revising",
      error: null,
      pending: { revision, instruction, idempotencyKey },
    };
    const updated = await writeJob(tx, id, { dayStates: withState(job.dayStates, day, next) });
    return { job: updated, revision, repeat: false };
  });
}

/**
 * Lands revision `revision` of day `day`: its plan goes on show and is kept. False when
 * the revision is no longer the one asked for (the job was deleted, or the request was
 * replaced), so a late or repeated run changes nothing.
 */
export function landDayRevision(input: {
  id: string;
  day: number;
  revision: number;
  plan: DayPlan;
  usage: TokenUsage;
}): Promise<boolean> {
  const { id, day, revision, plan, usage } = input;
  return withTransaction(async (tx) => {
    const found = await changeableDay(tx, { id, day, changer: null });
    if ("refused" in found) return false;
    const { job, plan: current, state } = found;
    if (state.pending?.revision !== revision) return false;
    await keepGenerated(tx, id, day, current, state);
    await tx.insert(itineraryDayRevisions).values({
      itineraryId: id,
      day,
      revision,
      parent: state.revision,
      kind: "revised",
      instruction: state.pending.instruction,
      plan,
      usage,
      idempotencyKey: state.pending.idempotencyKey,
    });
    const next: DayRevisionState = { revision, latest: state.latest, state: "ready", error: null, pending: null };
    await writeJob(tx, id, { itinerary: withPlan(job.itinerary!, plan), dayStates: withState(job.dayStates, day, next) });
    return true;
  });
}

/** Marks revision `revision` of day `day` failed, with why; the plan on show stays. */
export function failDayRevision(input: { id: string; day: number; revision: number; error: string }): Promise<boolean> {
  const { id, day, revision, error } = input;
  return withTransaction(async (tx) => {
    const found = await changeableDay(tx, { id, day, changer: null });
    if ("refused" in found || found.state.pending?.revision !== revision) return false;
    const next: DayRevisionState = { ...found.state, state: "failed", error, pending: null };
    await writeJob(tx, id, { dayStates: withState(found.job.dayStates, day, next) });
    return true;
  });
}

/** Puts the revision day `day` was made from back on show. */
export function undoDayRevision(input: { id: string; day: number; changer: Owner }): Promise<Changed | Refusal> {
  const { id, day, changer } = input;
  return withTransaction(async (tx) => {
    const found = await changeableDay(tx, { id, day, changer });
    if ("refused" in found) return found;
    const { job, state } = found;
    if (state.state === "revising") return { refused: "revising" };
    if (state.revision === 1) return { refused: "nothing_to_undo" };
    const [shown] = await tx
      .select({ parent: itineraryDayRevisions.parent })
      .from(itineraryDayRevisions)
      .where(and(eq(itineraryDayRevisions.itineraryId, id), eq(itineraryDayRevisions.day, day), eq(itineraryDayRevisions.revision, state.revision)));
    if (shown?.parent == null) return { refused: "nothing_to_undo" };
    const [previous] = await tx
      .select({ plan: itineraryDayRevisions.plan })
      .from(itineraryDayRevisions)
      .where(and(eq(itineraryDayRevisions.itineraryId, id), eq(itineraryDayRevisions.day, day), eq(itineraryDayRevisions.revision, shown.parent)));
    if (!previous) return { refused: "nothing_to_undo" };
    const next: DayRevisionState = { ...state, revision: shown.parent, state: "ready", error: null };
    const updated = await writeJob(tx, id, {
      itinerary: withPlan(job.itinerary!, previous.plan),
      dayStates: withState(job.dayStates, day, next),
    });
    return { job: updated, revision: shown.parent };
  });
}

/** Removes activity `index` (from 0) of day `day`, as a new revision that undo can reverse. */
export function removeDayActivity(input: { id: string; day: number; index: number; changer: Owner }): Promise<Changed | Refusal> {
  const { id, day, index, changer } = input;
  return withTransaction(async (tx) => {
    const found = await changeableDay(tx, { id, day, changer });
    if ("refused" in found) return found;
    const { job, plan: current, state } = found;
    if (state.state === "revising") return { refused: "revising" };
    const removed = current.activities[index];
    if (!Number.isInteger(index) || !removed) return { refused: "no_such_activity" };
    if (current.activities.length === 1) return { refused: "no_such_activity" };
    await keepGenerated(tx, id, day, current, state);
    const revision = state.latest + 1;
    const plan = withoutActivity(current, index);
    await tx.insert(itineraryDayRevisions).values({
      itineraryId: id,
      day,
      revision,
      parent: state.revision,
      kind: "removed",
      instruction: `Removed "${removed.title}"`,
      plan,
    });
    const next: DayRevisionState = { revision, latest: revision, state: "ready", error: null, pending: null };
    const updated = await writeJob(tx, id, { itinerary: withPlan(job.itinerary!, plan), dayStates: withState(job.dayStates, day, next) });
    return { job: updated, revision };
  });
}

/** A revision asked for and not yet landed or failed: what a run of revise-itinerary-day takes. */
export interface UnfinishedRevision {
  id: string;
  day: number;
  revision: number;
}

/**
 * Every day of a completed job that is still `revising`, with the revision it waits for:
 * what a stopped process left unfinished (the local runner resumes them). Oldest job first.
 */
export async function listUnfinishedRevisions({ updatedBefore }: { updatedBefore?: Date } = {}): Promise<UnfinishedRevision[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: itineraries.id, dayStates: itineraries.dayStates })
    .from(itineraries)
    .where(
      and(
        eq(itineraries.status, "completed"),
        sql`exists (select 1 from jsonb_each(${itineraries.dayStates}) as entry where entry.value ->> 'state' = 'revising')`,
        updatedBefore ? lt(itineraries.updatedAt, updatedBefore) : undefined,
      ),
    )
    .orderBy(itineraries.createdAt);
  return rows.flatMap(({ id, dayStates }) =>
    Object.keys(dayStates)
      .map(Number)
      .filter((day) => Number.isInteger(day))
      .toSorted((a, b) => a - b)
      .flatMap((day) => {
        const { state, pending } = dayStateOf(dayStates, day);
        return state === "revising" && pending ? [{ id, day, revision: pending.revision }] : [];
      }),
  );
}
