import "server-only";
import { createHash } from "node:crypto";
import { findItineraryWithDays } from "@/lib/db/queries/job-with-days";
import type { ItineraryRow } from "@/lib/db/schema";
import type { EndedStatus } from "@/lib/domain/constants";
import { presentItinerary, type ItineraryResource, type StoredDay } from "@/lib/domain/presenter";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { sendWebhook, type SentWebhook } from "@/lib/webhooks/send";
import type { Workflow, WorkflowContext } from "./types";

// The webhook announcing that a job ended: what to send and whether to send it. The
// transport (signing, the guarded POST, reading the answer) is lib/webhooks/send.ts.

export type WebhookEventType = `itinerary.${EndedStatus}`;

export interface WebhookPayload {
  type: WebhookEventType;
  /** When the job ended (ISO 8601); the same on every retry. */
  timestamp: string;
  data: ItineraryResource;
}

export type WebhookDeliveryResult = SentWebhook | { outcome: "skipped"; reason: string };

/**
 * Stable per job and event type, so retries share it. The end time is part of it because a
 * job that is retried and ends the same way again is a new event, not a duplicate.
 */
export function webhookId(job: Pick<ItineraryRow, "id" | "completedAt">, status: EndedStatus): string {
  const ended = job.completedAt?.getTime() ?? 0;
  return `msg_${createHash("sha256").update(`${job.id}:${status}:${ended}`).digest("base64url").slice(0, 27)}`;
}

export function buildWebhookPayload(job: ItineraryRow, days: readonly StoredDay[], status: EndedStatus): WebhookPayload {
  return {
    type: `itinerary.${status}`,
    timestamp: (job.completedAt ?? job.updatedAt).toISOString(),
    data: presentItinerary(job, days),
  };
}

/**
 * Sends the webhook for a job that ended as `status`. Nothing is sent (outcome "skipped")
 * when the job has no callback URL, was deleted, or has moved on to another state (a retry
 * started), or when the server has no signing secret any more. A failed attempt throws.
 */
export async function deliverItineraryWebhook({
  id,
  status,
}: {
  id: string;
  status: EndedStatus;
}): Promise<WebhookDeliveryResult> {
  const found = await findItineraryWithDays({ id });
  if (!found) return { outcome: "skipped", reason: "job deleted" };
  const { job, days } = found;
  if (!job.callbackUrl) return { outcome: "skipped", reason: "no callback URL" };
  if (job.status !== status) return { outcome: "skipped", reason: `job is now ${job.status}` };
  const { WEBHOOK_SECRET: secret, WEBHOOK_ALLOW_PRIVATE: allowPrivate } = env();
  if (!secret) {
    logger("webhooks").warn({ jobId: id }, "WEBHOOK_SECRET is unset: not sending an unsigned webhook");
    return { outcome: "skipped", reason: "no signing secret" };
  }
  return sendWebhook({
    jobId: id,
    webhookId: webhookId(job, status),
    callbackUrl: job.callbackUrl,
    body: JSON.stringify(buildWebhookPayload(job, days, status)),
    secret,
    allowPrivate,
  });
}

export type DeliverWebhookData = { id: string; status: EndedStatus };

/**
 * One step: send the signed webhook. A failed attempt throws and the runner retries it with
 * backoff (Inngest, or the local runner's own run for this delivery).
 */
export function deliverItineraryWebhookJob({ event, step }: Pick<WorkflowContext<DeliverWebhookData>, "event" | "step">) {
  const { id, status } = event.data;
  return step.run("deliver", () => deliverItineraryWebhook({ id, status }));
}

export const deliverWebhookWorkflow: Workflow<DeliverWebhookData> = {
  id: "deliver-itinerary-webhook",
  handler: deliverItineraryWebhookJob,
  // Giving up is logged; the local runner also records it so a restart does not try again.
  onFailure: async ({ data, error }) => {
    logger("webhooks").warn({ jobId: data.id, status: data.status, err: error }, `gave up on the ${data.status} webhook`);
  },
};
