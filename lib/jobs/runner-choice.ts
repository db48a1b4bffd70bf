import { jobRunnerKind, usesInngestDevServer, type Env, type JobRunnerKind } from "@/lib/env";
import { MAX_SERVERLESS_LLM_TIMEOUT_MS } from "@/inngest/time-budget";

// Which runner executes jobs, decided once at start-up, and the configurations the server
// refuses to start with. A refusal names every variable to set; it is better than a server
// that accepts jobs it cannot run: Inngest Cloud without keys rejects every event, the
// local runner on a serverless host is frozen or stopped after each response, mid-job, and
// INNGEST_DEV in production opens /api/inngest to unsigned requests.

export interface RunnerDecision {
  kind: JobRunnerKind;
  /** How the choice was made, for the start-up log line. */
  reason: string;
  /** Said at start-up when the choice works but deserves a second look. */
  warning?: string;
}

export class StartupRefusedError extends Error {
  constructor(readonly problems: string[]) {
    super(`Itinera cannot start:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "StartupRefusedError";
  }
}

const INNGEST_CLOUD_KEYS = ["INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"] as const;

function missingCloudKeys(config: Env): string[] {
  return INNGEST_CLOUD_KEYS.filter((name) => !config[name]);
}

/**
 * INNGEST_DEV where it cannot be meant: in dev mode the Inngest SDK (4.24) skips signature
 * checks, so /api/inngest would run whatever anyone sends it, whichever runner is chosen.
 * Null when the dev server is not in use, or plausibly meant (a laptop, `vercel dev`).
 */
function devModeRefusal(config: Env): string | null {
  if (!usesInngestDevServer(config)) return null;
  const keys = INNGEST_CLOUD_KEYS.filter((name) => config[name]);
  const productionOnVercel = config.NODE_ENV === "production" && config.VERCEL;
  if (keys.length === 0 && !productionOnVercel) return null;
  const where =
    keys.length > 0
      ? `${keys.join(" and ")} ${keys.length > 1 ? "are" : "is"} set too`
      : "this is a production deployment on Vercel (NODE_ENV=production and VERCEL are set)";
  return (
    `INNGEST_DEV is set, but ${where}. In dev mode the Inngest SDK skips signature checks, so /api/inngest would run any request anyone sends it. ` +
    "Remove INNGEST_DEV (or set it to 0) to run on Inngest Cloud with INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY; keep it only on your machine, with the local dev server and without Cloud keys."
  );
}

function reasonFor(config: Env, kind: JobRunnerKind): string {
  if (config.JOB_RUNNER) return `JOB_RUNNER=${config.JOB_RUNNER}`;
  if (kind === "local") return "no Inngest configuration";
  return usesInngestDevServer(config) ? "INNGEST_DEV is set" : "Inngest Cloud keys are set";
}

/** The runner to use, or a StartupRefusedError listing what to fix. */
export function decideJobRunner(config: Env): RunnerDecision {
  const kind = jobRunnerKind(config);
  const problems: string[] = [];
  let warning: string | undefined;

  const devMode = devModeRefusal(config);
  if (devMode) problems.push(devMode);

  if (kind === "inngest" && !usesInngestDevServer(config)) {
    const missing = missingCloudKeys(config);
    if (missing.length > 0) {
      problems.push(
        `The Inngest runner needs INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY; ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set. ` +
          "Copy them from Inngest Cloud (the Inngest integration for Vercel sets both), set INNGEST_DEV=1 to use the local dev server, or set JOB_RUNNER=local.",
      );
    }
    if (config.VERCEL && config.LLM_TIMEOUT_MS > MAX_SERVERLESS_LLM_TIMEOUT_MS) {
      problems.push(
        `LLM_TIMEOUT_MS is ${config.LLM_TIMEOUT_MS} but may be at most ${MAX_SERVERLESS_LLM_TIMEOUT_MS} on Vercel, ` +
          "so that a step started late in a request still ends before the function's maxDuration.",
      );
    }
  }

  if (kind === "local" && config.VERCEL) {
    if (config.JOB_RUNNER === "local") {
      warning =
        "JOB_RUNNER=local on a serverless host (VERCEL is set): jobs run inside the request that started them and stop when the function is frozen or ends; unfinished ones resume only when another request starts this server again.";
    } else {
      problems.push(
        "This is a serverless host (VERCEL is set) and no Inngest keys are set, so jobs would run inside functions that stop after each response. " +
          "Set INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY (the Inngest integration for Vercel sets both), or set JOB_RUNNER=local to run them in-process anyway.",
      );
    }
  }

  if (kind === "local" && !config.JOB_RUNNER && !config.VERCEL && config.NODE_ENV === "production") {
    warning =
      "No Inngest keys are set, so jobs run inside this server process (the local runner): fine for one machine, durable through the database (unfinished jobs resume at the next start), but not shared between several servers. Set INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY to run them on Inngest.";
  }

  if (problems.length > 0) throw new StartupRefusedError(problems);
  return { kind, reason: reasonFor(config, kind), ...(warning ? { warning } : {}) };
}
