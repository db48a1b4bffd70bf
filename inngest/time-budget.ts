// How long one call from Inngest to /api/inngest may take on Vercel, and how that time is
// shared out. With checkpointing, Inngest's SDK runs step after step inside one request and
// stops starting new steps once CHECKPOINT_MAX_RUNTIME_MS has passed; the step already
// running is not interrupted. So the worst request lasts the checkpoint budget plus one
// whole step (its LLM call, and the database writes around it), and that must end before
// Vercel stops the function at maxDuration.

/**
 * `maxDuration` of app/api/inngest/route.ts, in seconds. Next reads that export statically,
 * so the route writes the number out; a test keeps the two equal. 300 s is the most
 * Vercel's Hobby plan allows (and its default with fluid compute); Pro allows more, but
 * longer requests buy nothing here: Inngest calls again for the rest of the job.
 */
export const INNGEST_ROUTE_MAX_DURATION_SECONDS = 300;

/** After this long a request starts no new step and hands the rest back to Inngest. */
export const CHECKPOINT_MAX_RUNTIME_MS = 180_000;

/** Left for the database reads and writes around the last step and the final checkpoint. */
export const STEP_OVERHEAD_MS = 30_000;

/**
 * The longest LLM_TIMEOUT_MS allowed with the Inngest runner on Vercel: a step that starts
 * just before the checkpoint budget runs out still ends inside maxDuration.
 */
export const MAX_SERVERLESS_LLM_TIMEOUT_MS =
  INNGEST_ROUTE_MAX_DURATION_SECONDS * 1000 - CHECKPOINT_MAX_RUNTIME_MS - STEP_OVERHEAD_MS;
