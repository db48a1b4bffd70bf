import "server-only";
import { and, gt, isNotNull, ne, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { itineraries, jobSteps } from "@/lib/db/schema";
import type { EndedStatus } from "./deliver";

/** The job_steps row that records a local webhook run's outcome (delivered, gone, abandoned). */
export const webhookStepId = (status: EndedStatus) => `webhook-${status}`;

/**
 * Jobs that ended since `endedAfter` with a callback URL but no recorded webhook outcome:
 * what the local runner had not finished delivering when the process stopped.
 */
export async function listUndeliveredWebhooks({
  endedAfter,
}: {
  endedAfter: Date;
}): Promise<Array<{ id: string; status: EndedStatus }>> {
  const db = await getDb();
  const rows = await db
    .select({ id: itineraries.id, status: itineraries.status })
    .from(itineraries)
    .where(
      and(
        isNotNull(itineraries.callbackUrl),
        ne(itineraries.status, "processing"),
        gt(itineraries.completedAt, endedAfter),
        sql`not exists (select 1 from ${jobSteps} where ${jobSteps.jobId} = ${itineraries.id} and ${jobSteps.stepId} = 'webhook-' || ${itineraries.status})`,
      ),
    )
    .orderBy(itineraries.completedAt);
  return rows.filter((row): row is { id: string; status: EndedStatus } => row.status !== "processing");
}
