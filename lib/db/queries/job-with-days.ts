import "server-only";
import { eq, sql } from "drizzle-orm";
import type { StoredDayPlan, TokenUsage } from "@/lib/domain/trip";
import { getDb } from "../client";
import { itineraries, itineraryDays, type ItineraryDayRow, type ItineraryRow } from "../schema";

// A job and the days landed so far, read in one round trip: what every reader of a job
// asks for (the JSON route, the status page, the event stream, webhooks). This is the one
// place that knows a completed job carries its days on the row, so its day rows are not
// read at all.

interface StoredDayJson {
  itineraryId: string;
  day: number;
  plan: StoredDayPlan;
  usage: TokenUsage | null;
  createdAt: string;
}

export interface ItineraryWithDays {
  job: ItineraryRow;
  days: ItineraryDayRow[];
}

/** Drivers hand json back parsed; be tolerant of one that hands back the text. */
const parsedJson = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));

export async function findItineraryWithDays({ id }: { id: string }): Promise<ItineraryWithDays | null> {
  const db = await getDb();
  const [row] = await db
    .select({
      job: itineraries,
      days: sql<unknown>`case when ${itineraries.status} = 'completed' and ${itineraries.itinerary} is not null then null else (
        select json_agg(json_build_object(
          'itineraryId', d.itinerary_id, 'day', d.day, 'plan', d.plan, 'usage', d.usage, 'createdAt', d.created_at
        ) order by d.day)
        from ${itineraryDays} d where d.itinerary_id = ${itineraries.id}
      ) end`,
    })
    .from(itineraries)
    .where(eq(itineraries.id, id))
    .limit(1);
  if (!row) return null;
  const days = parsedJson<StoredDayJson[] | null>(row.days) ?? [];
  return { job: row.job, days: days.map((day) => ({ ...day, createdAt: new Date(day.createdAt) })) };
}
