import { createHmac } from "node:crypto";
import http from "node:http";
import { InngestTestEngine } from "@inngest/test";
import { NonRetriableError } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/database";
import { createInngestExecutor, startFakeDevServer } from "../helpers/inngest-executor";
import { ANYONE_ON_AN_OPEN_SERVER } from "../helpers/owners";

// Webhooks on the Inngest path, without the Inngest server: which `itinerary/ended` events
// are sent (and with which ids), the failure handler's step tools, and the
// deliver-itinerary-webhook function itself, under @inngest/test and through the app's
// Inngest endpoint as a (fake) Inngest executor calls it.

const SECRET = "whsec_" + Buffer.from("a test secret of some length").toString("base64");
const devServer = await startFakeDevServer();
Object.assign(process.env, {
  INNGEST_DEV: devServer.url,
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_ALLOW_PRIVATE: "1",
  DEMO_MODEL_LATENCY_MS: "0",
});
for (const key of ["JOB_RUNNER", "JOB_MAX_ATTEMPTS", "OPENAI_API_KEY", "OPENAI_BASE_URL", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) {
  delete process.env[key];
}

const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
const { cancelItinerary } = await import("@/lib/itineraries/commands");
const { submitItinerary } = await import("@/lib/itineraries/submit");
const { endItinerary, findItineraryById } = await import("@/lib/db/queries/itineraries");
const { generateItineraryFunction } = await import("@/inngest/functions/generate-itinerary");
const { deliverItineraryWebhookFunction } = await import("@/inngest/functions/deliver-itinerary-webhook");
const executor = createInngestExecutor(await import("@/app/api/inngest/route"), devServer);

const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
let answer = 200;
const receiver = http.createServer((request, response) => {
  let body = "";
  request.on("data", (chunk: Buffer) => (body += chunk.toString()));
  request.on("end", () => {
    received.push({ headers: request.headers, body });
    response.statusCode = answer;
    response.end();
  });
});
let callbackUrl = "";

const endedEvents = (id: string) =>
  devServer.events.filter((event) => event.name === "itinerary/ended" && event.data.id === id);

beforeAll(async () => {
  await createTestDatabase();
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
});

afterAll(async () => {
  await devServer.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe("itinerary/ended on the Inngest path", () => {
  it("is sent when a job with a callback URL is cancelled, with an id naming that ending", async () => {
    const { job } = await submitItinerary({ destination: "Porto, Portugal", durationDays: 2, callbackUrl });
    await cancelItinerary(job.id, ANYONE_ON_AN_OPEN_SERVER);
    const row = await findItineraryById({ id: job.id });
    expect(endedEvents(job.id)).toEqual([
      {
        name: "itinerary/ended",
        id: `${job.id}:ended:cancelled:${row?.completedAt?.getTime()}`,
        data: { id: job.id, status: "cancelled" },
        ts: expect.any(Number),
      },
    ]);
  });

  it("is not sent for a job without a callback URL", async () => {
    const { job } = await submitItinerary({ destination: "Braga, Portugal", durationDays: 1 });
    await cancelItinerary(job.id, ANYONE_ON_AN_OPEN_SERVER);
    expect(endedEvents(job.id)).toEqual([]);
  });

  it("is sent by the generate function's notify step once the job completes", async () => {
    const { job } = await submitItinerary({ destination: "Évora, Portugal", durationDays: 2, callbackUrl });
    const engine = new InngestTestEngine({
      function: generateItineraryFunction,
      events: [{ name: "itinerary/requested", data: { id: job.id, runKey: job.id } }],
    });
    const { result, error } = await engine.execute();
    expect(error).toBeUndefined();
    expect(result).toEqual({ days: 2 });
    // @inngest/test may run a step in more than one parallel branch; Inngest drops a re-sent
    // event with the same id, so one distinct event is what counts.
    const sent = new Map(endedEvents(job.id).map((event) => [event.id, event.data]));
    expect([...sent.values()]).toEqual([{ id: job.id, status: "completed" }]);
  });

  it("is sent by the failure handler, through its step tools, only when it marked the job failed", async () => {
    const onFailure = generateItineraryFunction.opts.onFailure as unknown as (ctx: {
      event: { data: { event: { data: { id: string } } } };
      error: unknown;
      step: { run: (id: string, fn: () => unknown) => unknown };
    }) => Promise<boolean>;
    const call = async (id: string) => {
      const steps: string[] = [];
      const step = { run: (stepId: string, fn: () => unknown) => (steps.push(stepId), fn()) };
      await onFailure({ event: { data: { event: { data: { id } } } }, error: new NonRetriableError("Model gone."), step });
      return steps;
    };

    const { job } = await submitItinerary({ destination: "Coimbra, Portugal", durationDays: 1, callbackUrl });
    expect(await call(job.id)).toEqual(["mark-failed", "notify"]);
    expect(endedEvents(job.id).map((event) => event.data)).toEqual([{ id: job.id, status: "failed" }]);

    // Already ended: not marked again, so nothing is announced again.
    expect(await call(job.id)).toEqual(["mark-failed"]);
    expect(endedEvents(job.id)).toHaveLength(1);
  });
});

describe("the deliver-itinerary-webhook function", () => {
  it("delivers a signed webhook in its deliver step; a failing receiver fails the step", async () => {
    const { job } = await submitItinerary({ destination: "Sintra, Portugal", durationDays: 1, callbackUrl });
    expect(await endItinerary({ id: job.id, status: "failed", error: "Gave up." })).toBe(true);
    const events = [{ name: "itinerary/ended", data: { id: job.id, status: "failed" } }] as [
      { name: string; data: { id: string; status: string } },
    ];

    const ok = await new InngestTestEngine({ function: deliverItineraryWebhookFunction, events }).executeStep("deliver");
    expect(ok.error).toBeUndefined();
    expect(ok.result).toMatchObject({ outcome: "delivered", httpStatus: 200 });
    const [delivery] = received.splice(0);
    const { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature } = delivery!.headers;
    const key = Buffer.from(SECRET.slice(6), "base64");
    const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${delivery!.body}`).digest("base64");
    expect(signature).toBe(`v1,${expected}`);
    expect(JSON.parse(delivery!.body)).toMatchObject({ type: "itinerary.failed", data: { id: job.id, error: "Gave up." } });

    answer = 502;
    try {
      const failed = await new InngestTestEngine({ function: deliverItineraryWebhookFunction, events }).executeStep("deliver");
      expect(failed.error).toMatchObject({ name: "WebhookDeliveryError", message: expect.stringContaining("HTTP 502") });
      // The retry carries the same webhook-id.
      expect(received.splice(0).map((attempt) => attempt.headers["webhook-id"])).toEqual([id]);
    } finally {
      answer = 200;
    }
  });

  it("is tried JOB_MAX_ATTEMPTS (5) times while the receiver fails, always with the same webhook-id", async () => {
    const { job } = await submitItinerary({ destination: "Faro, Portugal", durationDays: 1, callbackUrl });
    expect(await endItinerary({ id: job.id, status: "failed", error: "Gave up." })).toBe(true);
    received.splice(0);
    answer = 503;
    try {
      const run = await executor.run("itinera-deliver-itinerary-webhook", {
        name: "itinerary/ended",
        data: { id: job.id, status: "failed" },
      });
      expect(run.status).toBe("failed");
      expect(run.error).toMatchObject({ name: "WebhookDeliveryError", message: expect.stringContaining("HTTP 503") });
      const ids = received.splice(0).map((attempt) => attempt.headers["webhook-id"]);
      expect(ids).toHaveLength(5);
      expect(new Set(ids).size).toBe(1);
    } finally {
      answer = 200;
    }
  });

  it("is not sent again once the receiver has accepted it", async () => {
    const { job } = await submitItinerary({ destination: "Lagos, Portugal", durationDays: 1, callbackUrl });
    expect(await endItinerary({ id: job.id, status: "cancelled", error: null })).toBe(true);
    received.splice(0);
    answer = 500;
    try {
      // The receiver fails twice, then accepts the third attempt.
      const run = await executor.run(
        "itinera-deliver-itinerary-webhook",
        { name: "itinerary/ended", data: { id: job.id, status: "cancelled" } },
        {
          beforeRequest: ({ attempt }) => {
            if (attempt === 2) answer = 200;
          },
        },
      );
      expect(run.status).toBe("completed");
      expect(run.output).toMatchObject({ outcome: "delivered", httpStatus: 200 });
      const ids = received.splice(0).map((attempt) => attempt.headers["webhook-id"]);
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(1);
    } finally {
      answer = 200;
    }
  });
});
