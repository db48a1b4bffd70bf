import { afterAll, describe, expect, it, vi } from "vitest";
import { createInngestExecutor, startFakeDevServer, type RegisteredFunction } from "../helpers/inngest-executor";

// What Inngest is told about the app's functions when the app syncs: the settings it then
// applies (retries, concurrency, idempotency, cancellation, triggers) come from this body,
// not from our code. Synced with non-default JOB_MAX_ATTEMPTS and LLM_CONCURRENCY, so the
// numbers below can only come from the environment.

const JOB_MAX_ATTEMPTS = 3;
const LLM_CONCURRENCY = 7;

const devServer = await startFakeDevServer();
for (const key of ["JOB_RUNNER", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) delete process.env[key];
Object.assign(process.env, {
  INNGEST_DEV: devServer.url,
  JOB_MAX_ATTEMPTS: String(JOB_MAX_ATTEMPTS),
  LLM_CONCURRENCY: String(LLM_CONCURRENCY),
});
const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
vi.resetModules();
const executor = createInngestExecutor(await import("@/app/api/inngest/route"), devServer);

afterAll(async () => {
  await devServer.close();
});

/** Concurrency limits as registered: the spec allows a number or a list of { limit, key }. */
const limits = (concurrency: unknown) =>
  [concurrency].flat().map((entry) => (typeof entry === "number" ? entry : (entry as { limit: number }).limit));

describe("syncing with the Inngest dev server", () => {
  it("registers each function with its triggers, retries, concurrency, idempotency and cancellation", async () => {
    const functions = await executor.sync();
    const byId = new Map<string, RegisteredFunction>(functions.map((fn) => [fn.id, fn]));
    expect([...byId.keys()].toSorted()).toEqual([
      "itinera-deliver-itinerary-webhook",
      "itinera-expire-old-itineraries",
      "itinera-generate-itinerary",
      "itinera-generate-itinerary-failure",
      "itinera-revise-itinerary-day",
      "itinera-revise-itinerary-day-failure",
      "itinera-sweep-stale-itineraries",
    ]);
    // Inngest reads `retries.attempts` as the retries after the first attempt.
    const retries = JOB_MAX_ATTEMPTS - 1;

    // A job: started by itinerary/requested, JOB_MAX_ATTEMPTS attempts, at most
    // LLM_CONCURRENCY runs at once, one run per runKey, cancelled by itinerary/cancelled
    // for the same job id.
    const generate = byId.get("itinera-generate-itinerary")!;
    expect(generate.triggers).toEqual([{ event: "itinerary/requested" }]);
    expect(generate.steps.step.retries?.attempts).toBe(retries);
    expect(limits(generate.concurrency)).toEqual([LLM_CONCURRENCY]);
    expect(generate.idempotency).toBe("event.data.runKey");
    expect(generate.cancel).toEqual([{ event: "itinerary/cancelled", if: "event.data.id == async.data.id" }]);

    // When a run fails for good, Inngest runs the failure function for that function's runs.
    expect(byId.get("itinera-generate-itinerary-failure")?.triggers).toEqual([
      { event: "inngest/function.failed", expression: "event.data.function_id == 'itinera-generate-itinerary'" },
    ]);

    // A revision of a day: started by itinerary/day.revision-requested, one run per job, day
    // and revision, as many attempts as a job, stopped by the job's cancel event (a delete).
    const revise = byId.get("itinera-revise-itinerary-day")!;
    expect(revise.triggers).toEqual([{ event: "itinerary/day.revision-requested" }]);
    expect(revise.steps.step.retries?.attempts).toBe(retries);
    expect(revise.idempotency).toBe('event.data.id + "-" + string(event.data.day) + "-" + string(event.data.revision)');
    expect(revise.cancel).toEqual([{ event: "itinerary/cancelled", if: "event.data.id == async.data.id" }]);
    expect(byId.get("itinera-revise-itinerary-day-failure")?.triggers).toEqual([
      { event: "inngest/function.failed", expression: "event.data.function_id == 'itinera-revise-itinerary-day'" },
    ]);

    // A webhook: sent on itinerary/ended (a job ended) and itinerary/updated (a revision
    // landed or failed), with as many attempts as a job.
    const deliver = byId.get("itinera-deliver-itinerary-webhook")!;
    expect(deliver.triggers).toEqual([{ event: "itinerary/ended" }, { event: "itinerary/updated" }]);
    expect(deliver.steps.step.retries?.attempts).toBe(retries);

    // The sweeper every five minutes, the expiry once a day; one run of each at a time.
    expect(byId.get("itinera-sweep-stale-itineraries")?.triggers).toEqual([{ cron: "*/5 * * * *" }]);
    expect(byId.get("itinera-expire-old-itineraries")?.triggers).toEqual([{ cron: "30 3 * * *" }]);
    expect(limits(byId.get("itinera-sweep-stale-itineraries")?.concurrency)).toEqual([1]);
    expect(limits(byId.get("itinera-expire-old-itineraries")?.concurrency)).toEqual([1]);
  });
});
