import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, count, eq } from "drizzle-orm";
import { startFakeInngestEventApi } from "../helpers/fake-inngest";
import { createTestDatabase } from "../helpers/database";
import { ANYONE_ON_AN_OPEN_SERVER } from "../helpers/owners";

// The production path's seams, without the Inngest server: which runner is chosen, what
// event is sent (and with which id), what happens when it cannot be sent, and the serve
// endpoint the dev server and Inngest Cloud call.

const eventApi = await startFakeInngestEventApi();
process.env.INNGEST_DEV = eventApi.url;
delete process.env.JOB_RUNNER;

const { resetEnvCache, jobRunnerKind } = await import("@/lib/env");
resetEnvCache();
const { submitItinerary } = await import("@/lib/itineraries/submit");
const { cancelItinerary, DISPATCH_FAILED_MESSAGE } = await import("@/lib/itineraries/commands");
const { getItinerary } = await import("@/lib/itineraries/reads");
const { itineraries } = await import("@/lib/db/schema");
const { GET } = await import("@/app/api/inngest/route");

let db: Awaited<ReturnType<typeof createTestDatabase>>["db"];

beforeAll(async () => {
  ({ db } = await createTestDatabase());
});

afterAll(async () => {
  await eventApi.close();
});

describe("with the Inngest dev server configured", () => {
  it("chooses the Inngest runner", () => {
    expect(jobRunnerKind()).toBe("inngest");
  });

  it("sends itinerary/requested with the job id as the event id and leaves the job processing", async () => {
    const { job } = await submitItinerary({ destination: "Porto, Portugal", durationDays: 2 });
    const sent = eventApi.events.filter((event) => event.name === "itinerary/requested");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ id: job.id, data: { id: job.id, runKey: job.id } });
    // Nothing ran in-process: the job waits for Inngest to call /api/inngest.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await getItinerary(job.id))?.job.status).toBe("processing");
  });

  it("sends itinerary/cancelled when a job is cancelled", async () => {
    const { job } = await submitItinerary({ destination: "Bergen, Norway", durationDays: 1 });
    await cancelItinerary(job.id, ANYONE_ON_AN_OPEN_SERVER);
    const cancelled = eventApi.events.filter((event) => event.name === "itinerary/cancelled");
    expect(cancelled.at(-1)?.data).toEqual({ id: job.id });
    expect((await getItinerary(job.id))?.job.status).toBe("cancelled");
  });

  it("marks the job failed and reports 503 when the event cannot be sent", async () => {
    eventApi.failWith(500);
    try {
      const error = await submitItinerary({ destination: "Seville, Spain", durationDays: 2 }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: "dispatch_failed", status: 503, message: DISPATCH_FAILED_MESSAGE });
      const jobId = (error as { details: { jobId: string } }).details.jobId;
      const found = await getItinerary(jobId);
      expect(found?.job.status).toBe("failed");
      expect(found?.job.error).toBe(DISPATCH_FAILED_MESSAGE);
      // Nothing accepted is left processing with no run behind it.
      const [stuck] = await db
        .select({ value: count() })
        .from(itineraries)
        .where(and(eq(itineraries.destination, "Seville, Spain"), eq(itineraries.status, "processing")));
      expect(stuck?.value).toBe(0);
    } finally {
      eventApi.failWith(null);
    }
  }, 20_000);

  it("serves the function to the dev server at /api/inngest", async () => {
    const response = await GET(new Request("http://localhost/api/inngest") as never, undefined as never);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { mode: string; function_count: number };
    expect(body.mode).toBe("dev");
    // generate-itinerary and revise-itinerary-day, each with its onFailure handler, the
    // stale-job sweeper, the webhook delivery and the expiry cron.
    expect(body.function_count).toBe(7);
  });
});
