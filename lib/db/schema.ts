import { sql } from "drizzle-orm";
import {
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type {
  Budget,
  StoredDayPlan,
  ItineraryStatus,
  StoredOutline,
  Pace,
  TokenUsage,
} from "@/lib/domain/trip";
import type { DayRevisionStates } from "@/lib/domain/revision";

// Millisecond precision, like the JavaScript Dates they round-trip through (list cursors
// compare created_at with a Date, so finer stored precision would skip rows).
const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow(),
};

export const itineraries = pgTable(
  "itineraries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    status: text("status").$type<ItineraryStatus>().notNull().default("processing"),
    destination: text("destination").notNull(),
    durationDays: integer("duration_days").notNull(),
    startDate: date("start_date", { mode: "string" }),
    interests: jsonb("interests").$type<string[]>().notNull().default([]),
    pace: text("pace").$type<Pace>().notNull(),
    budget: text("budget").$type<Budget>().notNull(),
    travellers: integer("travellers").notNull(),
    outline: jsonb("outline").$type<StoredOutline>(),
    /** The finished days, in order; set by the finalize step, changed by day revisions. */
    itinerary: jsonb("itinerary").$type<StoredDayPlan[]>(),
    /** Where each changed day stands (revision on show, revising, failed); see lib/domain/revision.ts. */
    dayStates: jsonb("day_states").$type<DayRevisionStates>().notNull().default({}),
    progress: integer("progress").notNull().default(0),
    error: text("error"),
    model: text("model").notNull(),
    usage: jsonb("usage").$type<TokenUsage>(),
    /** Unique per owner: two owners may use the same Idempotency-Key for different jobs. */
    idempotencyKey: text("idempotency_key"),
    /** Who the per-client limits count this job against (a hash: key, owner or address). */
    clientKey: text("client_key"),
    /**
     * Who owns the job and alone may change it: a hash of the API key or of the browser's
     * owner token. Null for jobs created without either (open mode), and for jobs older than
     * owners.
     */
    ownerKey: text("owner_key"),
    /** Where to POST a signed webhook when the job ends (http or https). */
    callbackUrl: text("callback_url"),
    requestHash: text("request_hash").notNull(),
    ...timestamps,
    completedAt: timestamp("completed_at", { withTimezone: true, mode: "date", precision: 3 }),
  },
  (table) => [
    index("itineraries_created_at_idx").on(table.createdAt.desc(), table.id.desc()),
    index("itineraries_status_idx").on(table.status),
    index("itineraries_client_created_idx").on(table.clientKey, table.createdAt),
    index("itineraries_owner_created_idx").on(table.ownerKey, table.createdAt, table.id),
    // An Idempotency-Key names a job within its owner's jobs (ownerless jobs share one space).
    uniqueIndex("itineraries_owner_idempotency_key_idx")
      .on(sql`coalesce(${table.ownerKey}, '')`, table.idempotencyKey)
      .where(sql`${table.idempotencyKey} is not null`),
    check(
      "itineraries_status_check",
      sql`${table.status} in ('processing', 'completed', 'failed', 'cancelled')`,
    ),
    check("itineraries_progress_check", sql`${table.progress} between 0 and 100`),
  ],
);

export const itineraryDays = pgTable(
  "itinerary_days",
  {
    itineraryId: uuid("itinerary_id")
      .notNull()
      .references(() => itineraries.id, { onDelete: "cascade" }),
    day: integer("day").notNull(),
    plan: jsonb("plan").$type<StoredDayPlan>().notNull(),
    usage: jsonb("usage").$type<TokenUsage>(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.itineraryId, table.day] })],
);

/**
 * Every revision of a day that was ever changed: revision 1 (the plan the trip was written
 * with, stored when the day is first changed), then one per revision that landed. `parent`
 * is the revision it was made from, so undo steps back one at a time.
 */
export const itineraryDayRevisions = pgTable(
  "itinerary_day_revisions",
  {
    itineraryId: uuid("itinerary_id")
      .notNull()
      .references(() => itineraries.id, { onDelete: "cascade" }),
    day: integer("day").notNull(),
    revision: integer("revision").notNull(),
    parent: integer("parent"),
    kind: text("kind").$type<"generated" | "revised" | "removed">().notNull(),
    /** What the traveller asked for (revised), or what was removed (removed). */
    instruction: text("instruction"),
    plan: jsonb("plan").$type<StoredDayPlan>().notNull(),
    usage: jsonb("usage").$type<TokenUsage>(),
    /** The Idempotency-Key of the request that asked for it, if any. */
    idempotencyKey: text("idempotency_key"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.itineraryId, table.day, table.revision] }),
    uniqueIndex("itinerary_day_revisions_idempotency_key_idx")
      .on(table.itineraryId, table.idempotencyKey)
      .where(sql`${table.idempotencyKey} is not null`),
    check("itinerary_day_revisions_kind_check", sql`${table.kind} in ('generated', 'revised', 'removed')`),
  ],
);

/** Memoized step outputs for the in-process runner (Inngest keeps its own). */
export const jobSteps = pgTable(
  "job_steps",
  {
    jobId: uuid("job_id")
      .notNull()
      .references(() => itineraries.id, { onDelete: "cascade" }),
    stepId: text("step_id").notNull(),
    output: jsonb("output"),
    attempts: integer("attempts").notNull().default(1),
    completedAt: timestamp("completed_at", { withTimezone: true, mode: "date", precision: 3 })
      .notNull()
      .defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.jobId, table.stepId] })],
);

/**
 * Secrets the server makes for itself on first use and shares with every instance on the
 * database, e.g. the key that signs owner cookies: nothing to configure on a laptop.
 */
export const appSecrets = pgTable("app_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow(),
});

export type ItineraryRow = typeof itineraries.$inferSelect;
export type NewItineraryRow = typeof itineraries.$inferInsert;
export type ItineraryDayRow = typeof itineraryDays.$inferSelect;
export type ItineraryDayRevisionRow = typeof itineraryDayRevisions.$inferSelect;
