import "server-only";
import { createHash } from "node:crypto";
import { findItineraryWithDays } from "@/lib/db/queries/job-with-days";
import type { ItineraryRow } from "@/lib/db/schema";
import type { EndedStatus } from "@/lib/domain/constants";
import { presentItinerary, type ItineraryResource, type StoredDay } from "@/lib/domain/presenter";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { sendWebhook, type SentWebhook } from "@/lib/webhooks/send";
import type { RevisionOutcome, Workflow, WorkflowContext } from "./types";

// The webhooks a job sends: what to send and whether to send it. A job that ended sends
// `itinerary.completed`, `.failed` or `.cancelled`; a revision of a day of a finished trip
// that landed or failed sends `itinerary.updated`. The transport (signing, the guarded
// POST, reading the answer) is lib/webhooks/send.ts.

export type WebhookEventType = `itinerary.${EndedStatus}` | "itinerary.updated";

/** What every webhook carries: its type, when it happened, and the job as the API shows it. */
interface WebhookEnvelope {
  type: WebhookEventType;
  /** When it happened (ISO 8601); the same on every retry. */
  timestamp: string;
  /** The job as it is when the webhook is sent (the resource GET /api/itineraries/{id} returns). */
  data: ItineraryResource;
}

/** A job ended: `itinerary.completed`, `itinerary.failed` or `itinerary.cancelled`. */
export interface EndedWebhookPayload extends WebhookEnvelope {
  type: `itinerary.${EndedStatus}`;
}

/**
 * A revision of a day of a finished trip landed (the day shows it) or failed (the day says
 * why, in `data.days[day - 1].error`, and keeps its plan). Which revision is in the envelope,
 * beside `data`, so `data` is the job resource as in every other webhook.
 */
export interface UpdatedWebhookPayload extends WebhookEnvelope {
  type: "itinerary.updated";
  day: number;
  revision: number;
  outcome: RevisionOutcome;
}

export type WebhookPayload = EndedWebhookPayload | UpdatedWebhookPayload;

export type WebhookDeliveryResult = SentWebhook | { outcome: "skipped"; reason: string };

const hashedId = (key: string) => `msg_${createHash("sha256").update(key).digest("base64url").slice(0, 27)}`;

/**
 * Stable per job and event type, so retries share it. The end time is part of it because a
 * job that is retried and ends the same way again is a new event, not a duplicate.
 */
export function webhookId(job: Pick<ItineraryRow, "id" | "completedAt">, status: EndedStatus): string {
  const ended = job.completedAt?.getTime() ?? 0;
  return hashedId(`${job.id}:${status}:${ended}`);
}

/** Stable per job, day, revision and outcome: every retry, and every re-send, shares it. */
export function updateWebhookId({ id, day, revision, outcome }: Omit<UpdateDelivery, "at">): string {
  return hashedId(`${id}:updated:${day}:${revision}:${outcome}`);
}

export function buildWebhookPayload(job: ItineraryRow, days: readonly StoredDay[], status: EndedStatus): EndedWebhookPayload {
  return {
    type: `itinerary.${status}`,
    timestamp: (job.completedAt ?? job.updatedAt).toISOString(),
    data: presentItinerary(job, days),
  };
}

export function buildUpdateWebhookPayload(
  job: ItineraryRow,
  days: readonly StoredDay[],
  { day, revision, outcome, at }: Omit<UpdateDelivery, "id">,
): UpdatedWebhookPayload {
  return { type: "itinerary.updated", timestamp: at, data: presentItinerary(job, days), day, revision, outcome };
}

/** A job ended as `status`: its ending's webhook. */
export type EndedDelivery = { id: string; status: EndedStatus };

/**
 * Revision `revision` of day `day` landed or failed at `at` (ISO 8601, fixed when it was
 * queued, so every retry carries the same timestamp).
 */
export type UpdateDelivery = { id: string; day: number; revision: number; outcome: RevisionOutcome; at: string };

export type DeliverWebhookData = EndedDelivery | UpdateDelivery;

export const isUpdateDelivery = (data: DeliverWebhookData): data is UpdateDelivery => "outcome" in data;

/** For logs: "completed", "updated (day 2, revision 3, landed)". */
export const describeDelivery = (data: DeliverWebhookData): string =>
  isUpdateDelivery(data) ? `updated (day ${data.day}, revision ${data.revision}, ${data.outcome})` : data.status;

/**
 * Sends one webhook. Nothing is sent (outcome "skipped") when the job has no callback URL or
 * was deleted, when an ended job has moved on to another state (a retry started), or when
 * the server has no signing secret any more. A failed attempt throws.
 */
export async function deliverItineraryWebhook(delivery: DeliverWebhookData): Promise<WebhookDeliveryResult> {
  const { id } = delivery;
  const found = await findItineraryWithDays({ id });
  if (!found) return { outcome: "skipped", reason: "job deleted" };
  const { job, days } = found;
  if (!job.callbackUrl) return { outcome: "skipped", reason: "no callback URL" };
  if (!isUpdateDelivery(delivery) && job.status !== delivery.status) return { outcome: "skipped", reason: `job is now ${job.status}` };
  const { WEBHOOK_SECRET: secret, WEBHOOK_ALLOW_PRIVATE: allowPrivate } = env();
  if (!secret) {
    logger("webhooks").warn({ jobId: id }, "WEBHOOK_SECRET is unset: not sending an unsigned webhook");
    return { outcome: "skipped", reason: "no signing secret" };
  }
  const [messageId, payload] = isUpdateDelivery(delivery)
    ? [updateWebhookId(delivery), buildUpdateWebhookPayload(job, days, delivery)]
    : [webhookId(job, delivery.status), buildWebhookPayload(job, days, delivery.status)];
  return sendWebhook({ jobId: id, webhookId: messageId, callbackUrl: job.callbackUrl, body: JSON.stringify(payload), secret, allowPrivate });
}

/**
 * One step: send the signed webhook. A failed attempt throws and the runner retries it with
 * backoff (Inngest, or the local runner's own run for this delivery).
 */
export function deliverItineraryWebhookJob({ event, step }: Pick<WorkflowContext<DeliverWebhookData>, "event" | "step">) {
  return step.run("deliver", () => deliverItineraryWebhook(event.data));
}

export const deliverWebhookWorkflow: Workflow<DeliverWebhookData> = {
  id: "deliver-itinerary-webhook",
  handler: deliverItineraryWebhookJob,
  // Giving up is logged; the local runner also records it so a restart does not try again.
  onFailure: async ({ data, error }) => {
    const kind = describeDelivery(data);
    logger("webhooks").warn({ jobId: data.id, webhook: kind, err: error }, `gave up on the ${kind} webhook`);
  },
};
