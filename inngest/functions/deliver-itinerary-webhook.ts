import type { StepRunner } from "@/lib/jobs/local-runner";
import { deliverItineraryWebhook, type EndedStatus } from "@/lib/webhooks/deliver";
import { inngest, STEP_RETRIES } from "../client";
import { itineraryEnded } from "../events";

export interface DeliverWebhookContext {
  event: { data: { id: string; status: EndedStatus } };
  step: StepRunner;
}

/**
 * One step: send the signed webhook. A failed attempt throws and the runner retries it with
 * backoff (Inngest, or the local runner keyed apart from the generation run).
 */
export function deliverItineraryWebhookJob({ event, step }: DeliverWebhookContext) {
  const { id, status } = event.data;
  return step.run("deliver", () => deliverItineraryWebhook({ id, status }));
}

export const deliverItineraryWebhookFunction = inngest.createFunction(
  {
    id: "deliver-itinerary-webhook",
    name: "Deliver itinerary webhook",
    triggers: [itineraryEnded],
    retries: STEP_RETRIES,
  },
  ({ event, step }) => deliverItineraryWebhookJob({ event, step: step as StepRunner }),
);
