import { dispatchItineraryEnded, dispatchItineraryUpdated } from "@/lib/jobs/dispatch";
import { awaitsRevision } from "@/lib/workflow/revise-steps";
import { reviseItineraryDayWorkflow as workflow } from "@/lib/workflow/revise";
import { inngest, STEP_RETRIES } from "../client";
import { itineraryCancelled, itineraryDayRevisionRequested } from "../events";
import { inngestSteps } from "../steps";

// One revision of one day: the handler is lib/workflow/revise.ts. A revision is unique per
// job, day and revision number; deleting the job (which sends the cancel event) ends it.
// Whether it landed or failed, its notify step sends itinerary/updated (the webhook).
export const reviseItineraryDayFunction = inngest.createFunction(
  {
    id: workflow.id,
    name: "Revise itinerary day",
    triggers: [itineraryDayRevisionRequested],
    retries: STEP_RETRIES,
    idempotency: 'event.data.id + "-" + string(event.data.day) + "-" + string(event.data.revision)',
    cancelOn: [{ event: itineraryCancelled, if: "event.data.id == async.data.id" }],
    onFailure: ({ event, error, step, attempt }) => {
      const data = event.data.event.data;
      return workflow.onFailure({
        data,
        error,
        step: inngestSteps(step, data.id, attempt),
        announceEnded: dispatchItineraryEnded,
        announceUpdated: dispatchItineraryUpdated,
      });
    },
  },
  // The step stops (its LLM call aborted) once the job no longer waits for this revision.
  ({ event, step, attempt }) =>
    workflow.handler({
      event,
      step: inngestSteps(step, event.data.id, attempt, { watchJob: awaitsRevision(event.data.day, event.data.revision) }),
      announceEnded: dispatchItineraryEnded,
      announceUpdated: dispatchItineraryUpdated,
    }),
);
