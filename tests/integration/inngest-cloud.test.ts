import { describe, expect, it } from "vitest";

// With Inngest Cloud keys (as on Vercel) the endpoint refuses requests Inngest did not sign.

process.env.INNGEST_SIGNING_KEY = "signkey-test-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
process.env.INNGEST_EVENT_KEY = "test-event-key";
delete process.env.INNGEST_DEV;
delete process.env.JOB_RUNNER;

const { resetEnvCache, jobRunnerKind } = await import("@/lib/env");
resetEnvCache();
const { POST } = await import("@/app/api/inngest/route");

describe("with Inngest Cloud keys", () => {
  it("chooses the Inngest runner", () => {
    expect(jobRunnerKind()).toBe("inngest");
  });

  it("rejects an unsigned call to run a function", async () => {
    const request = new Request("http://localhost/api/inngest?fnId=itinera-generate-itinerary&stepId=step", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: { name: "itinerary/requested", data: { id: "x", runKey: "x" } }, steps: {}, ctx: {} }),
    });
    const response = await POST(request as never, undefined as never);
    expect(response.status).toBe(401);
  });
});
