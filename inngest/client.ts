import { Inngest } from "inngest";
import { env, usesInngestDevServer } from "@/lib/env";
import { CHECKPOINT_MAX_RUNTIME_MS } from "./time-budget";
import { deferredLogger } from "@/lib/logger";

const config = env();

// INNGEST_DEV may be "1" (the dev server on its default port) or the dev server's URL.
const devServerUrl = config.INNGEST_DEV?.startsWith("http") ? config.INNGEST_DEV : undefined;

export const inngest = new Inngest({
  id: "itinera",
  isDev: usesInngestDevServer(config),
  eventKey: config.INNGEST_EVENT_KEY,
  signingKey: config.INNGEST_SIGNING_KEY,
  ...(devServerUrl ? { baseUrl: devServerUrl } : {}),
  // Steps run back to back inside one request until this much time has passed, then the
  // rest is handed back to Inngest: well inside the route's maxDuration (inngest/time-budget.ts).
  checkpointing: { maxRuntime: CHECKPOINT_MAX_RUNTIME_MS },
  // The SDK's own messages go to the app's JSON log, tagged as such.
  logger: deferredLogger("inngest"),
});

/** Inngest counts retries after the first attempt; JOB_MAX_ATTEMPTS counts them all. */
export const STEP_RETRIES = Math.min(20, Math.max(0, config.JOB_MAX_ATTEMPTS - 1)) as 4;
