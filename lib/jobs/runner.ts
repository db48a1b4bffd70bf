import "server-only";
import { env, jobRunnerKind, type JobRunnerKind } from "@/lib/env";
import { listProcessingIds, loadStepOutputs, saveStepOutput } from "@/lib/itineraries/queries";
import { generateItinerary, onGenerateItineraryFailure } from "@/inngest/functions/generate-itinerary";
import { LocalRunner } from "./local-runner";

// The runner seam: whichever runner is active, callers dispatch and cancel the same way.

const store = globalThis as unknown as { __itineraLocalRunner?: LocalRunner };

export function localRunner(): LocalRunner {
  if (!store.__itineraLocalRunner) {
    const config = env();
    store.__itineraLocalRunner = new LocalRunner({
      handler: generateItinerary,
      onFailure: (id, error) => onGenerateItineraryFailure({ id, error }),
      store: {
        load: (jobId) => loadStepOutputs({ jobId }),
        save: (jobId, stepId, output, attempts) => saveStepOutput({ jobId, stepId, output, attempts }),
      },
      maxAttempts: config.JOB_MAX_ATTEMPTS,
      retryBaseMs: config.JOB_RETRY_BASE_MS,
      log: (message) => console.info(message),
    });
  }
  return store.__itineraLocalRunner;
}

export function activeRunner(): JobRunnerKind {
  return jobRunnerKind();
}

/**
 * Resumes every job left `processing` by a crash or restart (local runner only: Inngest
 * keeps its own state). Finished steps are not repeated: their outputs are memoized.
 */
export async function resumeUnfinishedJobs(): Promise<string[]> {
  if (activeRunner() !== "local") return [];
  const ids = await listProcessingIds();
  for (const id of ids) void localRunner().start(id);
  return ids;
}
