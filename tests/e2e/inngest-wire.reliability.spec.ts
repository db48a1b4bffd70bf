import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import {
  startFakeOpenAIServer,
  type FakeOpenAICall,
  type FakeOpenAIServer,
  type FakeReply,
} from "../fixtures/fake-openai-server";
import {
  createInngestExecutor,
  startFakeDevServer,
  stepId,
  type FakeDevServer,
  type InngestEvent,
  type Op,
  type RunOutcome,
} from "../helpers/inngest-executor";
import { promptStepId } from "../../lib/llm/prompts";
import { signInngestRequest } from "../helpers/inngest-signature";
import { freePort, startAppServer, type AppServer } from "./helpers/app-server";

// The Inngest path over the wire: the production server (`next start`) with JOB_RUNNER=inngest,
// its /api/inngest driven over HTTP by the fake Inngest executor, in dev mode (INNGEST_DEV
// pointing at a fake dev server; no signatures) and in signed cloud mode (Inngest Cloud keys,
// INNGEST_BASE_URL pointing at the same fake playing Inngest Cloud's API: every request to
// the app signed, every answer's signature checked, the SDK's own requests checked for the
// event key and the hashed signing key). Jobs are submitted through the JSON API; the app
// sends itinerary/requested to the fake, and the executor runs that event as Inngest would.
// The fake model server counts what the model was asked, per job.

const GENERATE = "itinera-generate-itinerary";
const SIGNING_KEY = "signkey-test-8f2c1e0b7a6d5c4b3a29180716253443f2e1d0c9b8a7968574635241302f1e0d";
const EVENT_KEY = "wire-test-event-key";

const MODES = [
  { name: "dev mode", tag: "dev", cloud: false },
  { name: "signed cloud mode", tag: "cloud", cloud: true },
] as const;

interface JobResource {
  id: string;
  status: string;
  progress: number;
  outline: { summary: string | null } | null;
  itinerary: Array<{ day: number; activities: unknown[] }> | null;
  error: string | null;
}

const taskKey = (call: FakeOpenAICall) =>
  call.task === null ? "unknown" : promptStepId(call.task);

/** Scripted replies per destination (a job's); the fake's own answer when there is none. */
const scripts = new Map<string, (call: FakeOpenAICall) => FakeReply | undefined>();
let fake: FakeOpenAIServer;

/** The model calls made for one job (its destination). */
const callsFor = (destination: string) => fake.calls.filter((call) => call.task?.trip.destination === destination);
function countByTask(destination: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of callsFor(destination)) counts[taskKey(call)] = (counts[taskKey(call)] ?? 0) + 1;
  return counts;
}

/** The steps whose bodies ran in a run: each reports its result or error, in the answer or a checkpoint. */
const bodiesRun = (run: RunOutcome) =>
  run.requests.flatMap(({ ops, checkpointed }) =>
    [...checkpointed, ...ops].filter((op) => /^Step(Run|Error|Failed)$/.test(op.op)).map((op) => op.displayName),
  );
const sorted = (values: Array<string | undefined>) => values.toSorted();

test.beforeAll(async () => {
  fake = await startFakeOpenAIServer({
    port: 0,
    host: "127.0.0.1",
    reply: (call) => (call.task ? scripts.get(call.task.trip.destination)?.(call) : undefined),
  });
});

test.afterAll(async () => {
  await fake?.close();
});

for (const mode of MODES) {
  test.describe(mode.name, () => {
    let server: AppServer;
    let devServer: FakeDevServer;
    let executor: ReturnType<typeof createInngestExecutor>;
    let pgliteDir: string;
    /** The completed run of the 3-day job, replayed in a later test. */
    let completed: { run: RunOutcome; destination: string; jobId: string } | undefined;

    test.beforeAll(async () => {
      test.setTimeout(90_000);
      devServer = await startFakeDevServer(mode.cloud ? { signingKey: SIGNING_KEY, eventKey: EVENT_KEY } : {});
      pgliteDir = await mkdtemp(path.join(tmpdir(), `itinera-wire-${mode.tag}-`));
      const inngestEnv: Record<string, string> = mode.cloud
        ? { INNGEST_SIGNING_KEY: SIGNING_KEY, INNGEST_EVENT_KEY: EVENT_KEY, INNGEST_BASE_URL: devServer.url }
        : { INNGEST_DEV: devServer.url };
      server = await startAppServer({
        port: await freePort(),
        env: {
          PGLITE_DIR: pgliteDir,
          JOB_RUNNER: "inngest",
          ...inngestEnv,
          OPENAI_API_KEY: "wire-test",
          OPENAI_BASE_URL: fake.url,
          LLM_API: "responses",
          LLM_MODEL: "fake-model",
          // Every day of a job in flight at once, as the cancel test needs.
          LLM_CONCURRENCY: "4",
          RATE_LIMIT_MAX_JOBS: "0",
          MAX_CONCURRENT_JOBS_PER_CLIENT: "0",
          LOG_LEVEL: "warn",
          NEXT_TELEMETRY_DISABLED: "1",
        },
      });
      executor = createInngestExecutor({ baseUrl: server.url }, devServer, mode.cloud ? { signingKey: SIGNING_KEY } : {});
    });

    test.afterEach(async () => {
      const info = test.info();
      if (info.status !== info.expectedStatus && server) await info.attach("server output", { body: server.output() });
    });

    test.afterAll(async () => {
      await server?.stop().catch(() => {});
      await devServer?.close();
      if (pgliteDir) await rm(pgliteDir, { recursive: true, force: true });
    });

    /** Submits a job through the JSON API (no key: ownerless) and returns it with the event the app sent. */
    async function submit(label: string, durationDays: number) {
      const destination = `Porto ${mode.tag} ${label}`;
      const response = await fetch(`${server.url}/api/itineraries`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ destination, durationDays }),
      });
      expect(response.status, await response.clone().text()).toBe(202);
      const { jobId } = (await response.json()) as { jobId: string };
      // The app sent the event before it answered: Inngest now holds it.
      const event = devServer.events.find((sent) => sent.name === "itinerary/requested" && sent.data.id === jobId);
      expect(event, `no itinerary/requested for ${jobId} at the fake Inngest`).toMatchObject({
        id: jobId,
        data: { id: jobId, runKey: jobId },
      });
      return { destination, jobId, event: event as InngestEvent };
    }

    async function getJob(id: string): Promise<JobResource> {
      const response = await fetch(`${server.url}/api/itineraries/${id}`, { signal: AbortSignal.timeout(10_000) });
      expect(response.status).toBe(200);
      return (await response.json()) as JobResource;
    }

    /** The requests of a run that targeted one step, in order. */
    const requestsFor = (run: RunOutcome, step: string) => run.requests.filter((request) => request.step === step);

    test("sync: the app registers its functions with their retries, cancellation and failure handler", async () => {
      const callsBefore = fake.calls.length;
      const functions = await executor.sync();
      expect(functions.map((fn) => fn.id).toSorted()).toEqual([
        "itinera-deliver-itinerary-webhook",
        "itinera-expire-old-itineraries",
        "itinera-generate-itinerary",
        "itinera-generate-itinerary-failure",
        "itinera-revise-itinerary-day",
        "itinera-revise-itinerary-day-failure",
        "itinera-sweep-stale-itineraries",
      ]);
      const generate = functions.find((fn) => fn.id === GENERATE)!;
      expect(generate.triggers).toEqual([{ event: "itinerary/requested" }]);
      // JOB_MAX_ATTEMPTS (5) attempts: Inngest reads `attempts` as the retries after the first.
      expect(generate.steps.step.retries?.attempts).toBe(4);
      expect(generate.cancel).toEqual([{ event: "itinerary/cancelled", if: "event.data.id == async.data.id" }]);
      expect(functions.find((fn) => fn.id === `${GENERATE}-failure`)?.triggers).toEqual([
        { event: "inngest/function.failed", expression: `event.data.function_id == '${GENERATE}'` },
      ]);
      // A day's revision: its own event, stopped by the job's cancel (sent on delete too).
      const revise = functions.find((fn) => fn.id === "itinera-revise-itinerary-day")!;
      expect(revise.triggers).toEqual([{ event: "itinerary/day.revision-requested" }]);
      expect(revise.cancel).toEqual([{ event: "itinerary/cancelled", if: "event.data.id == async.data.id" }]);

      // Introspection (GET): in cloud mode only a signed request gets an answer, which then
      // shows where the SDK sends events and API calls: to the fake Inngest.
      const introspection = await executor.introspect();
      expect(introspection).toMatchObject({ mode: mode.cloud ? "cloud" : "dev", function_count: 7, has_signing_key: mode.cloud });
      if (mode.cloud) {
        expect(introspection).toMatchObject({ authentication_succeeded: true, has_event_key: true });
        expect(`${introspection.api_origin}`).toMatch(new RegExp(`^${devServer.url}/?$`));
        expect(`${introspection.event_api_origin}`).toMatch(new RegExp(`^${devServer.url}/?$`));
        expect((await fetch(executor.appUrl)).status).toBe(401);
      }

      if (mode.cloud) {
        // In band (above), the signed PUT got the functions in its signed answer. Out of
        // band, the SDK posts them to Inngest's API with the hashed signing key.
        const registered = devServer.registrations.length;
        await executor.sync({ inBand: false });
        expect(devServer.registrations).toHaveLength(registered + 1);
        expect(devServer.registrations.at(-1)?.url).toBe(executor.appUrl);
        // Requests Inngest did not sign are refused: none, or one signed with another key.
        const body = JSON.stringify({ event: { name: "itinerary/requested", data: { id: "x", runKey: "x" } }, steps: {}, ctx: { run_id: "r" } });
        const post = (headers: Record<string, string>) =>
          fetch(`${executor.appUrl}?fnId=${GENERATE}&stepId=step`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
        expect((await post({})).status).toBe(401);
        const otherKey = "signkey-test-0000000000000000000000000000000000000000000000000000000000000001";
        expect((await post({ "x-inngest-signature": signInngestRequest(body, otherKey) })).status).toBe(401);
      } else {
        expect(devServer.registrations.at(-1)?.url).toBe(executor.appUrl);
      }
      expect(devServer.rejected).toEqual([]);
      expect(fake.calls.length, "a sync asks the model nothing").toBe(callsBefore);
    });

    test("a 3-day job submitted through the API runs to completion with 5 model calls", async () => {
      const { destination, jobId, event } = await submit("complete", 3);
      // Nothing runs in the app by itself: the job waits for Inngest to call.
      expect((await getJob(jobId)).status).toBe("processing");
      expect(callsFor(destination)).toHaveLength(0);

      const run = await executor.run(GENERATE, event, { parallel: true, checkpointing: true });

      expect(run.status).toBe("completed");
      expect(run.output).toEqual({ days: 3 });
      // Every answer says which execution version it speaks.
      expect(new Set(run.requests.map((request) => request.reqVersion))).toEqual(new Set(["2"]));
      // The outline first; then its details and the three days, planned together and run one
      // request each; then finalize and notify. Each body ran once.
      // The first request runs the outline (reported to the checkpoint API) and plans the
      // details and the three days; each then runs in a request of its own. With parallel
      // steps seen, every later step is planned first and then run alone: finalize, then notify.
      const [first] = run.requests;
      expect(first?.checkpointed.map((op) => `${op.op} ${op.displayName}`)).toEqual(["StepRun outline"]);
      expect(first?.ops.map((op) => `${op.op} ${op.displayName}`).toSorted()).toEqual([
        "StepPlanned day-1",
        "StepPlanned day-2",
        "StepPlanned day-3",
        "StepPlanned outline-details",
      ]);
      expect(run.requests.map((request) => request.step.replace(/^(day-\d+|outline-details)$/, "parallel"))).toEqual(
        ["step", "parallel", "parallel", "parallel", "parallel", "step", "finalize", "step", "notify", "step"],
      );
      expect(sorted(run.requests.slice(1, 5).map((request) => request.step))).toEqual(["day-1", "day-2", "day-3", "outline-details"]);
      expect(run.requests.at(-1)?.status).toBe(200);
      expect(sorted(bodiesRun(run))).toEqual(sorted(["outline", "outline-details", "day-1", "day-2", "day-3", "finalize", "notify"]));
      expect(bodiesRun(run).slice(-2)).toEqual(["finalize", "notify"]);

      const job = await getJob(jobId);
      expect(job.status).toBe("completed");
      expect(job.progress).toBe(100);
      expect(job.error).toBeNull();
      expect(job.itinerary?.map((day) => day.day)).toEqual([1, 2, 3]);
      expect(job.outline?.summary).toEqual(expect.any(String));
      expect(countByTask(destination)).toEqual({ outline: 1, "outline-details": 1, "day-1": 1, "day-2": 1, "day-3": 1 });
      expect(callsFor(destination)).toHaveLength(5);
      expect(devServer.rejected).toEqual([]);
      completed = { run, destination, jobId };
    });

    test("a replay with every step memoized returns the result without calling the model", async () => {
      expect(completed, "needs the completed run of the previous test").toBeDefined();
      const { run, destination, jobId } = completed!;
      const before = callsFor(destination).length;
      expect(Object.keys(run.memo).toSorted()).toEqual(
        ["outline", "outline-details", "day-1", "day-2", "day-3", "finalize", "notify"].map(stepId).toSorted(),
      );

      const replay = await executor.call({ fnId: GENERATE, event: run.event, runId: run.runId, steps: run.memo, stack: run.stack });

      expect(replay.status).toBe(200);
      expect(replay.body).toEqual({ days: 3 });
      expect(callsFor(destination)).toHaveLength(before);
      expect(before).toBe(5);
      expect((await getJob(jobId)).status).toBe("completed");
    });

    test("a day whose model call fails twice is retried alone until it succeeds", async () => {
      const { destination, jobId, event } = await submit("flaky day", 3);
      let failures = 0;
      scripts.set(destination, (call) => {
        if (taskKey(call) !== "day-2" || failures >= 2) return undefined;
        failures += 1;
        return { kind: "http", status: 500, body: { error: { message: "fake upstream meltdown sk-do-not-leak" } } };
      });

      const run = await executor.run(GENERATE, event, { parallel: true, checkpointing: true });

      expect(run.status).toBe("completed");
      const dayTwo = requestsFor(run, "day-2");
      expect(dayTwo.map((request) => `${request.attempt}:${request.ops.map((op) => op.op).join()}`)).toEqual([
        "0:StepError",
        "1:StepError",
        "2:StepRun",
      ]);
      // A retriable error: 206 with X-Inngest-No-Retry: false, naming the cause, not the provider's words.
      for (const failed of dayTwo.slice(0, 2)) {
        expect(failed.status).toBe(206);
        expect(failed.noRetry).toBe("false");
        expect(failed.ops[0]?.error).toMatchObject({ name: "LlmCallError", message: "The language model is unavailable (HTTP 500)." });
      }
      expect(JSON.stringify(run.requests)).not.toContain("sk-do-not-leak");
      // The retries came with the other steps memoized, and only day 2 ran again.
      expect(dayTwo[2]?.memo.toSorted()).toEqual(["day-1", "day-3", "outline", "outline-details"]);
      expect(sorted(bodiesRun(run))).toEqual(
        sorted(["outline", "outline-details", "day-1", "day-2", "day-2", "day-2", "day-3", "finalize", "notify"]),
      );
      expect(countByTask(destination)).toEqual({ outline: 1, "outline-details": 1, "day-1": 1, "day-2": 3, "day-3": 1 });
      expect(callsFor(destination)).toHaveLength(7);

      const job = await getJob(jobId);
      expect(job.status).toBe("completed");
      expect(job.itinerary?.map((day) => day.day)).toEqual([1, 2, 3]);
    });

    test("cancelling through the API aborts the calls waiting for the model, and the run stops", async () => {
      const { destination, jobId, event } = await submit("cancelled", 3);
      // The outline answers; the details and every day call wait for the model until their
      // caller gives up.
      scripts.set(destination, (call) => (taskKey(call) === "outline" ? undefined : { kind: "hang" }));

      const running = executor.run(GENERATE, event, { parallel: true, checkpointing: true });
      const inFlight = () => callsFor(destination).filter((call) => taskKey(call) !== "outline" && call.finishedAt === undefined);
      await expect.poll(() => inFlight().length, { timeout: 15_000 }).toBe(4);

      const cancelledAt = Date.now();
      const response = await fetch(`${server.url}/api/itineraries/${jobId}/cancel`, { method: "POST" });
      expect(response.status, await response.clone().text()).toBe(202);
      expect(((await response.json()) as JobResource).status).toBe("cancelled");
      // The app told Inngest, which cancels the run (cancelOn).
      expect(devServer.events.filter((sent) => sent.name === "itinerary/cancelled").map((sent) => sent.data)).toContainEqual({ id: jobId });

      const run = await running;
      const stoppedMs = Date.now() - cancelledAt;
      expect(run.status).toBe("cancelled");
      expect(run.cancelledBy?.data).toEqual({ id: jobId });
      // The details and each day step stopped at once, for good (not retried), and nothing
      // ran after them.
      for (const day of ["outline-details", "day-1", "day-2", "day-3"]) {
        const requests = requestsFor(run, day);
        expect(requests.map((request) => request.ops.map((op: Op) => `${op.op}:${op.error?.name}`))).toEqual([["StepFailed:JobNotActiveError"]]);
      }
      expect(stoppedMs).toBeLessThan(5_000);
      expect(bodiesRun(run)).not.toContain("finalize");
      expect(run.failure).toBeUndefined();

      // The model saw the details call and every day call abandoned by its caller.
      const abandoned = callsFor(destination).filter((call) => taskKey(call) !== "outline");
      expect(abandoned.map((call) => call.aborted)).toEqual([true, true, true, true]);
      expect(countByTask(destination)).toEqual({ outline: 1, "outline-details": 1, "day-1": 1, "day-2": 1, "day-3": 1 });
      const job = await getJob(jobId);
      expect(job.status).toBe("cancelled");
      expect(job.itinerary ?? []).toEqual([]);
    });

    test("a day that fails every attempt fails the run; the failure function fails the job", async () => {
      const { destination, jobId, event } = await submit("exhausted", 2);
      scripts.set(destination, (call) => (taskKey(call) === "day-1" ? { kind: "http", status: 503 } : undefined));

      const run = await executor.run(GENERATE, event, { parallel: true, checkpointing: true });

      // Attempts 0–3 are retriable (StepError); the fifth, the last, fails the step for good.
      expect(requestsFor(run, "day-1").map((request) => `${request.attempt}:${request.ops[0]?.op}`)).toEqual([
        "0:StepError",
        "1:StepError",
        "2:StepError",
        "3:StepError",
        "4:StepFailed",
      ]);
      // Called again with that failure memoized, the function throws it: the run's end, a
      // 400 with X-Inngest-No-Retry: true.
      const last = run.requests.at(-1);
      expect(last).toMatchObject({ step: "step", status: 400, noRetry: "true" });
      expect(last?.memo).toContain("day-1");
      expect(run.status).toBe("failed");
      expect(run.error).toMatchObject({ name: "LlmCallError" });
      // Inngest ran the failure function with inngest/function.failed; it completed.
      expect(run.failure?.status).toBe("completed");
      expect(run.failure?.event).toMatchObject({ name: "inngest/function.failed", data: { function_id: GENERATE } });
      expect(bodiesRun(run)).not.toContain("finalize");
      expect(countByTask(destination)).toEqual({ outline: 1, "outline-details": 1, "day-1": 5, "day-2": 1 });
      expect(callsFor(destination)).toHaveLength(8);

      const job = await getJob(jobId);
      expect(job.status).toBe("failed");
      expect(job.error).toBe(
        "The language model is unavailable (HTTP 503). We tried several times and gave up; please try again later.",
      );
      expect(devServer.rejected).toEqual([]);
    });
  });
}
