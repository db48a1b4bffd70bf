import "server-only";
import { env, jobRunnerKind, type JobRunnerKind } from "@/lib/env";
import { listProcessingIds, loadStepOutputs, saveStepOutput } from "@/lib/itineraries/queries";
import { generateItinerary, onGenerateItineraryFailure } from "@/inngest/functions/generate-itinerary";
import { deliverItineraryWebhookJob } from "@/inngest/functions/deliver-itinerary-webhook";
import type { EndedStatus } from "@/lib/webhooks/deliver";
import { listUndeliveredWebhooks, webhookStepId } from "@/lib/webhooks/queries";
import { deferredLogger, logger } from "@/lib/logger";
import { LocalRunner, type LocalRunnerOptions, type StepStore } from "./local-runner";

// The runner seam: whichever runner is active, callers dispatch and cancel the same way.

const store = globalThis as unknown as { __itineraLocalRunner?: LocalRunner };

/** Step outputs memoized in job_steps, keyed by the itinerary id. */
const generationSteps: StepStore = {
  load: (jobId) => loadStepOutputs({ jobId }),
  save: (jobId, stepId, output, attempts) => saveStepOutput({ jobId, stepId, output, attempts }),
};

/** A runner for the generation function, wired to the database and env (tests make more). */
export function createGenerationRunner(overrides: Partial<LocalRunnerOptions> = {}): LocalRunner {
  const config = env();
  return new LocalRunner({
    handler: generateItinerary,
    onFailure: (id, error) => onGenerateItineraryFailure({ id, error }),
    store: generationSteps,
    maxAttempts: config.JOB_MAX_ATTEMPTS,
    retryBaseMs: config.JOB_RETRY_BASE_MS,
    ...overrides,
  });
}

export function localRunner(): LocalRunner {
  store.__itineraLocalRunner ??= createGenerationRunner({ logger: deferredLogger("jobs") });
  return store.__itineraLocalRunner;
}

// Webhook runs share the itinerary's job_steps rows (job_id references the itinerary) but
// are keyed "<id>:<status>", so they never meet the generation run of the same job, and
// their one step is stored as "webhook-<status>".

export const webhookRunKey = (id: string, status: EndedStatus) => `${id}:${status}`;

function parseWebhookRunKey(key: string): { id: string; status: EndedStatus } {
  const [id = "", status] = key.split(":");
  if (status !== "completed" && status !== "failed" && status !== "cancelled") {
    throw new Error(`Not a webhook run key: ${key}`);
  }
  return { id, status };
}

const webhookSteps: StepStore = {
  async load(key) {
    const { id, status } = parseWebhookRunKey(key);
    const stored = (await loadStepOutputs({ jobId: id })).get(webhookStepId(status));
    return new Map(stored === undefined ? [] : [["deliver", stored]]);
  },
  save(key, stepId, output, attempts) {
    const { id, status } = parseWebhookRunKey(key);
    const stored = stepId === "deliver" ? webhookStepId(status) : `${webhookStepId(status)}:${stepId}`;
    return saveStepOutput({ jobId: id, stepId: stored, output, attempts });
  },
};

const webhookStore = globalThis as unknown as { __itineraWebhookRunner?: LocalRunner };

/** The in-process runner for webhook deliveries: same retries and backoff as generation. */
export function webhookRunner(): LocalRunner {
  if (!webhookStore.__itineraWebhookRunner) {
    const config = env();
    webhookStore.__itineraWebhookRunner = new LocalRunner({
      handler: ({ event, step }) => deliverItineraryWebhookJob({ event: { data: parseWebhookRunKey(event.data.id) }, step }),
      onFailure: async (key, error) => {
        const { id, status } = parseWebhookRunKey(key);
        const reason = error instanceof Error ? error.message : String(error);
        logger("webhooks").warn({ jobId: id, status, err: error }, `gave up on the ${status} webhook`);
        // Recorded, so a restart does not take it up again.
        await saveStepOutput({
          jobId: id,
          stepId: webhookStepId(status),
          output: { outcome: "abandoned", reason },
          attempts: config.JOB_MAX_ATTEMPTS,
        });
      },
      store: webhookSteps,
      maxAttempts: config.JOB_MAX_ATTEMPTS,
      retryBaseMs: config.JOB_RETRY_BASE_MS,
      logger: deferredLogger("webhooks"),
    });
  }
  return webhookStore.__itineraWebhookRunner;
}

/** Webhooks of the last day that a stopped process had not delivered are sent again. */
const WEBHOOK_RESUME_WINDOW_MS = 24 * 60 * 60 * 1000;

async function resumeUndeliveredWebhooks(): Promise<void> {
  try {
    const pending = await listUndeliveredWebhooks({ endedAfter: new Date(Date.now() - WEBHOOK_RESUME_WINDOW_MS) });
    for (const { id, status } of pending) void webhookRunner().start(webhookRunKey(id, status));
    if (pending.length > 0) logger("webhooks").info({ count: pending.length }, `resumed ${pending.length} undelivered webhook(s)`);
  } catch (error) {
    logger("webhooks").error({ err: error }, "could not resume undelivered webhooks");
  }
}

export function activeRunner(): JobRunnerKind {
  return jobRunnerKind();
}

/**
 * Resumes every job left `processing` by a crash or restart (local runner only: Inngest
 * keeps its own state). Finished steps are not repeated: their outputs are memoized.
 * Webhooks the stopped process had not delivered are sent too.
 */
export async function resumeUnfinishedJobs(): Promise<string[]> {
  if (activeRunner() !== "local") return [];
  const ids = await listProcessingIds();
  for (const id of ids) void localRunner().start(id);
  await resumeUndeliveredWebhooks();
  return ids;
}
