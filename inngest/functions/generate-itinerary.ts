import { env } from "@/lib/env";
import { dispatchItineraryEnded } from "@/lib/jobs/dispatch";
import { generateItineraryWorkflow as workflow } from "@/lib/workflow/generate";
import { inngest, STEP_RETRIES } from "../client";
import { itineraryCancelled, itineraryRequested } from "../events";
import { inngestSteps } from "../steps";

// Outline, every day in parallel, finalize: the handler is lib/workflow/generate.ts.
export const generateItineraryFunction = inngest.createFunction(
  {
    id: workflow.id,
    name: "Generate itinerary",
    triggers: [itineraryRequested],
    retries: STEP_RETRIES,
    idempotency: "event.data.runKey",
    concurrency: { limit: env().LLM_CONCURRENCY },
    // The cancel event names the same job (match: "data.id" is deprecated in inngest 4).
    cancelOn: [{ event: itineraryCancelled, if: "event.data.id == async.data.id" }],
    onFailure: ({ event, error, step, attempt }) => {
      const data = event.data.event.data;
      return workflow.onFailure({ data, error, step: inngestSteps(step, data.id, attempt), announceEnded: dispatchItineraryEnded });
    },
  },
  // Each step watches its job: a cancel aborts the LLM call in flight, not only later steps.
  ({ event, step, attempt }) =>
    workflow.handler({
      event,
      step: inngestSteps(step, event.data.id, attempt, { watchJob: true }),
      announceEnded: dispatchItineraryEnded,
    }),
);
