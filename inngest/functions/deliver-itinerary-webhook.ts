import { dispatchItineraryEnded } from "@/lib/jobs/dispatch";
import { deliverWebhookWorkflow as workflow } from "@/lib/workflow/deliver-webhook";
import { inngest, STEP_RETRIES } from "../client";
import { itineraryEnded, itineraryUpdated } from "../events";
import { inngestSteps } from "../steps";

// One step, the signed POST: the handler is lib/workflow/deliver-webhook.ts. A job that
// ended (itinerary/ended) and a revision that landed or failed (itinerary/updated) each
// send one webhook.
export const deliverItineraryWebhookFunction = inngest.createFunction(
  {
    id: workflow.id,
    name: "Deliver itinerary webhook",
    triggers: [itineraryEnded, itineraryUpdated],
    retries: STEP_RETRIES,
  },
  ({ event, step, attempt }) =>
    workflow.handler({ event, step: inngestSteps(step, event.data.id, attempt), announceEnded: dispatchItineraryEnded }),
);
