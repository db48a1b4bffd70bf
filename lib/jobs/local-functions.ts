import "server-only";
import { after } from "next/server";
import { findItineraryById } from "@/lib/db/queries/itineraries";
import { loadStepOutputs, QUEUED_SUFFIX, saveStepOutput, updateWebhookStepId, webhookStepId } from "@/lib/db/queries/steps";
import type { ItineraryRow } from "@/lib/db/schema";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import type { EndedStatus } from "@/lib/domain/constants";
import { env } from "@/lib/env";
import { deferredLogger } from "@/lib/logger";
import { processSingleton } from "@/lib/singleton";
import {
  deliverWebhookWorkflow,
  isUpdateDelivery,
  type DeliverWebhookData,
  type UpdateDelivery,
} from "@/lib/workflow/deliver-webhook";
import { generateItineraryWorkflow, type GenerateItineraryData } from "@/lib/workflow/generate";
import { reviseItineraryDayWorkflow, type ReviseDayData } from "@/lib/workflow/revise";
import type { RevisionOutcome, Workflow } from "@/lib/workflow/types";
import { LocalRunner, type LocalRunnerOptions, type RunData, type StepStore } from "./local-runner";

// The local runner's registry: one LocalRunner per durable function, keyed by the same
// function id Inngest uses, each running the handler from lib/workflow with its steps
// memoized in job_steps. What Inngest does with events, this does in-process.

/** Runs work after the response is sent when inside a request; right away otherwise. */
export function runAfterResponse(task: () => Promise<unknown>): void {
  try {
    after(task);
  } catch {
    // Outside a request scope (start-up, scripts, tests) there is no response to wait for.
    setImmediate(() => void task());
  }
}

function runnerFor<Data extends RunData>(
  workflow: Workflow<Data>,
  store: StepStore<Data>,
  overrides: Partial<LocalRunnerOptions<Data>> = {},
): LocalRunner<Data> {
  const config = env();
  return new LocalRunner<Data>({
    handler: ({ event, step }) =>
      workflow.handler({ event, step, announceEnded: announceEndedLocally, announceUpdated: announceUpdatedLocally }),
    onFailure: (data, error) =>
      workflow.onFailure({ data, error, announceEnded: announceEndedLocally, announceUpdated: announceUpdatedLocally }),
    store,
    maxAttempts: config.JOB_MAX_ATTEMPTS,
    retryBaseMs: config.JOB_RETRY_BASE_MS,
    // A database outage is waited out without spending the model's attempts.
    isOutage: isDatabaseUnavailable,
    outageLimitMs: config.JOB_MAX_AGE_SECONDS * 1000,
    ...overrides,
  });
}

/** Generation steps are memoized under their own ids ("outline", "day-2", …). */
const generationSteps: StepStore<GenerateItineraryData> = {
  load: ({ id }) => loadStepOutputs({ jobId: id }),
  save: ({ id }, stepId, output, attempts) => saveStepOutput({ jobId: id, stepId, output, attempts }),
};

/** A runner for the generation function, wired to the database and env (tests make more). */
export function createGenerationRunner(
  overrides: Partial<LocalRunnerOptions<GenerateItineraryData>> = {},
): LocalRunner<GenerateItineraryData> {
  return runnerFor(generateItineraryWorkflow, generationSteps, overrides);
}

export function localRunner(): LocalRunner<GenerateItineraryData> {
  return processSingleton("runner:generate-itinerary", () => createGenerationRunner({ logger: deferredLogger("jobs") }));
}

// A revision's steps are stored on its job as "revision-<day>-<revision>:<step>", apart from
// the generation run's and from other revisions'.
const revisionStepPrefix = ({ day, revision }: ReviseDayData) => `revision-${day}-${revision}:`;
const revisionSteps: StepStore<ReviseDayData> = {
  async load(data) {
    const prefix = revisionStepPrefix(data);
    const stored = await loadStepOutputs({ jobId: data.id });
    return new Map([...stored].filter(([key]) => key.startsWith(prefix)).map(([key, output]) => [key.slice(prefix.length), output]));
  },
  save(data, stepId, output, attempts) {
    return saveStepOutput({ jobId: data.id, stepId: `${revisionStepPrefix(data)}${stepId}`, output, attempts });
  },
};

/** The key of a revision's run: one run per job, day and revision. */
export const revisionRunKey = ({ id, day, revision }: ReviseDayData) => `${id}:day-${day}:revision-${revision}`;

export function createRevisionRunner(overrides: Partial<LocalRunnerOptions<ReviseDayData>> = {}): LocalRunner<ReviseDayData> {
  return runnerFor(reviseItineraryDayWorkflow, revisionSteps, { runKey: revisionRunKey, ...overrides });
}

export function revisionRunner(): LocalRunner<ReviseDayData> {
  return processSingleton("runner:revise-itinerary-day", () => createRevisionRunner({ logger: deferredLogger("revisions") }));
}

/** Stops job `id`'s run and its revisions' runs in this process. */
export function cancelLocalRuns(id: string): void {
  localRunner().cancel(id);
  for (const key of revisionRunner().activeJobIds) if (key.startsWith(`${id}:`)) revisionRunner().cancel(key);
}

// A delivery's one step is stored on its job as "webhook-<status>" (a job that ended) or
// "webhook-updated-<day>-<revision>-<outcome>" (a revision that landed or failed), apart
// from the runs' steps; a job retried and ended another way gets a delivery of its own, and
// so does each revision's outcome.
const deliveryStepId = (data: DeliverWebhookData) => (isUpdateDelivery(data) ? updateWebhookStepId(data) : webhookStepId(data.status));

const webhookSteps: StepStore<DeliverWebhookData> = {
  async load(data) {
    const stored = (await loadStepOutputs({ jobId: data.id })).get(deliveryStepId(data));
    return new Map(stored === undefined ? [] : [["deliver", stored]]);
  },
  save(data, stepId, output, attempts) {
    const stored = stepId === "deliver" ? deliveryStepId(data) : `${deliveryStepId(data)}:${stepId}`;
    return saveStepOutput({ jobId: data.id, stepId: stored, output, attempts });
  },
};

/** One delivery run per job and ending, or per job, day, revision and outcome. */
export const webhookRunKey = (data: DeliverWebhookData) =>
  isUpdateDelivery(data) ? `${data.id}:updated:day-${data.day}:revision-${data.revision}:${data.outcome}` : `${data.id}:${data.status}`;

/** The in-process runner for webhook deliveries: same retries and backoff as generation. */
export function webhookRunner(): LocalRunner<DeliverWebhookData> {
  return processSingleton("runner:deliver-itinerary-webhook", () =>
    runnerFor(deliverWebhookWorkflow, webhookSteps, {
      runKey: webhookRunKey,
      logger: deferredLogger("webhooks"),
      onFailure: async (data, error) => {
        await deliverWebhookWorkflow.onFailure({ data, error, announceEnded: announceEndedLocally });
        // Recorded, so a restart does not take it up again.
        const reason = error instanceof Error ? error.message : String(error);
        await saveStepOutput({
          jobId: data.id,
          stepId: deliveryStepId(data),
          output: { outcome: "abandoned", reason },
          attempts: env().JOB_MAX_ATTEMPTS,
        });
      },
    }),
  );
}

export type EndedJob = Pick<ItineraryRow, "callbackUrl" | "status" | "completedAt">;

/**
 * The job whose ending as `status` has a webhook to send, or null: no callback URL, or the
 * job has moved on (deleted, retried). `job` spares the read when the caller holds the row.
 */
export async function jobToAnnounce(id: string, status: EndedStatus, job?: EndedJob | null): Promise<EndedJob | null> {
  const current = job === undefined ? await findItineraryById({ id }) : job;
  return current?.callbackUrl && current.status === status ? current : null;
}

/** Queues the webhook of a job that just ended as `status`, in this process; false when there is none to send. */
export async function announceEndedLocally(id: string, status: EndedStatus, job?: EndedJob | null): Promise<boolean> {
  if (!(await jobToAnnounce(id, status, job))) return false;
  runAfterResponse(() => webhookRunner().start({ id, status }));
  return true;
}

/**
 * What an `itinerary.updated` webhook for revision `revision` of day `day` carries besides
 * the job, or null when job `id` has no webhook to send (no callback URL, or deleted). `at`
 * is now: the webhook's timestamp, the same on every retry of its delivery.
 */
export async function updateToAnnounce(
  id: string,
  day: number,
  revision: number,
  outcome: RevisionOutcome,
): Promise<UpdateDelivery | null> {
  const job = await findItineraryById({ id });
  if (!job?.callbackUrl) return null;
  return { id, day, revision, outcome, at: new Date().toISOString() };
}

/**
 * Queues the `itinerary.updated` webhook of a revision that landed or failed, in this
 * process; false when there is none to send. The queued delivery is recorded first, so a
 * restart before it is delivered sends it (resumeUnfinishedJobs).
 */
export async function announceUpdatedLocally(id: string, day: number, revision: number, outcome: RevisionOutcome): Promise<boolean> {
  const update = await updateToAnnounce(id, day, revision, outcome);
  if (!update) return false;
  // Queued before (a notify step run again): the same delivery, timestamp and all.
  const queuedStep = `${updateWebhookStepId(update)}${QUEUED_SUFFIX}`;
  const queued = asUpdateDelivery((await loadStepOutputs({ jobId: id })).get(queuedStep));
  if (!queued) await saveStepOutput({ jobId: id, stepId: queuedStep, output: update, attempts: 1 });
  const delivery = queued ?? update;
  runAfterResponse(() => webhookRunner().start(delivery));
  return true;
}

/** A recorded queued delivery, if it is one (a row written by announceUpdatedLocally). */
export function asUpdateDelivery(value: unknown): UpdateDelivery | null {
  const candidate = value as Partial<UpdateDelivery> | null;
  const valid =
    typeof candidate?.id === "string" &&
    Number.isInteger(candidate.day) &&
    Number.isInteger(candidate.revision) &&
    (candidate.outcome === "landed" || candidate.outcome === "failed") &&
    typeof candidate.at === "string";
  return valid ? (candidate as UpdateDelivery) : null;
}
