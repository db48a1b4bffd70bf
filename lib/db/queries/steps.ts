import "server-only";
import { and, eq, gt, isNotNull, like, ne, sql } from "drizzle-orm";
import type { EndedStatus } from "@/lib/domain/constants";
import { getDb } from "../client";
import { itineraries, jobSteps } from "../schema";

// The local runner's memo (job_steps): each finished step's output, keyed by the job it
// belongs to and a step id, so a resumed run skips what is done. Inngest keeps its own.

export async function loadStepOutputs({ jobId }: { jobId: string }): Promise<Map<string, unknown>> {
  const db = await getDb();
  const rows = await db
    .select({ stepId: jobSteps.stepId, output: jobSteps.output })
    .from(jobSteps)
    .where(eq(jobSteps.jobId, jobId));
  return new Map(rows.map((row) => [row.stepId, row.output]));
}

export async function saveStepOutput({
  jobId,
  stepId,
  output,
  attempts,
}: {
  jobId: string;
  stepId: string;
  output: unknown;
  attempts: number;
}): Promise<void> {
  const db = await getDb();
  // A job deleted mid-run has nothing left to memoize: insert only while it still exists.
  await db.execute(sql`
    insert into ${jobSteps} (job_id, step_id, output, attempts)
    select ${jobId}, ${stepId}, ${JSON.stringify(output ?? null)}::jsonb, ${attempts}
    where exists (select 1 from ${itineraries} where ${itineraries.id} = ${jobId})
    on conflict do nothing`);
}

/** The job_steps row that records a local webhook run's outcome (delivered, gone, abandoned). */
export const webhookStepId = (status: EndedStatus) => `webhook-${status}`;

/** The same for the `itinerary.updated` webhook of one revision's outcome (one per revision and outcome). */
export const updateWebhookStepId = ({ day, revision, outcome }: { day: number; revision: number; outcome: string }) =>
  `webhook-updated-${day}-${revision}-${outcome}`;

/** Beside it, the delivery as it was queued (its output), so a restart can send it. */
export const QUEUED_SUFFIX = ":queued";

/**
 * `itinerary.updated` deliveries queued on the local runner since `queuedAfter` with no
 * recorded outcome: what the process had not finished delivering when it stopped. Each is
 * the queued delivery (the output of its ":queued" row).
 */
export async function listUndeliveredUpdates({ queuedAfter }: { queuedAfter: Date }): Promise<unknown[]> {
  const db = await getDb();
  const rows = await db
    .select({ output: jobSteps.output })
    .from(jobSteps)
    .where(
      and(
        like(jobSteps.stepId, `webhook-updated-%${QUEUED_SUFFIX}`),
        gt(jobSteps.completedAt, queuedAfter),
        sql`not exists (select 1 from ${jobSteps} as done where done.job_id = ${jobSteps.jobId}
          and done.step_id = left(${jobSteps.stepId}, length(${jobSteps.stepId}) - ${QUEUED_SUFFIX.length}))`,
      ),
    )
    .orderBy(jobSteps.completedAt);
  return rows.map((row) => row.output);
}

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
