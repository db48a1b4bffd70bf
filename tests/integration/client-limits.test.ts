import { beforeAll, describe, expect, it } from "vitest";
import { count, eq, inArray } from "drizzle-orm";
import { createTestDatabase } from "../helpers/database";

// Per-client abuse limits on job creation: a rate per window and a cap on jobs processing
// at once, answered with 429 and Retry-After, writing nothing. Without a key or an owner
// cookie, a client is the address in the header the operator trusts (here x-real-ip);
// a header the client chooses (X-Forwarded-For) never splits its bucket.

process.env.JOB_RUNNER = "local";
process.env.TRUSTED_CLIENT_IP_HEADER = "x-real-ip";
process.env.RATE_LIMIT_MAX_JOBS = "3";
process.env.RATE_LIMIT_WINDOW_SECONDS = "60";
process.env.MAX_CONCURRENT_JOBS_PER_CLIENT = "2";
// Slow enough that every job stays processing for the whole file.
process.env.DEMO_MODEL_LATENCY_MS = "60000";

const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
const { POST } = await import("@/app/api/itineraries/route");
const { itineraries } = await import("@/lib/db/schema");
const { anonymousClientKey } = await import("@/lib/api/caller");
const clientKeyOf = (ip: string) => anonymousClientKey(new Headers({ "x-real-ip": ip }));

let db: Awaited<ReturnType<typeof createTestDatabase>>["db"];

beforeAll(async () => {
  ({ db } = await createTestDatabase());
});

const submit = (ip: string, destination = "Lyon, France", headers: Record<string, string> = {}) =>
  POST(
    new Request("http://localhost/api/itineraries", {
      method: "POST",
      headers: { "content-type": "application/json", "x-real-ip": ip, ...headers },
      body: JSON.stringify({ destination, durationDays: 2 }),
    }),
  );

const rowsFor = async (ip: string) => {
  const [row] = await db
    .select({ value: count() })
    .from(itineraries)
    .where(eq(itineraries.clientKey, clientKeyOf(ip)));
  return row?.value ?? 0;
};

describe("per-client limits on job creation", () => {
  it("caps the jobs one client has processing at once", async () => {
    expect((await submit("203.0.113.1")).status).toBe(202);
    expect((await submit("203.0.113.1")).status).toBe(202);
    const third = await submit("203.0.113.1");
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("10");
    const body = await third.json();
    expect(body.error.code).toBe("too_many_active_jobs");
    expect(await rowsFor("203.0.113.1")).toBe(2);
    // Another client is not affected.
    expect((await submit("198.51.100.7")).status).toBe(202);
  });

  it("limits how many jobs one client creates per window, finished or not", async () => {
    const ip = "203.0.113.2";
    for (let index = 0; index < 3; index += 1) {
      expect((await submit(ip)).status).toBe(202);
      // Finish it at once so only the rate limit, not the concurrency cap, can refuse.
      const key = clientKeyOf(ip);
      const rows = await db.select({ id: itineraries.id }).from(itineraries).where(eq(itineraries.clientKey, key));
      await db
        .update(itineraries)
        .set({ status: "completed", completedAt: new Date() })
        .where(inArray(itineraries.id, rows.map((row) => row.id)));
    }
    const fourth = await submit(ip);
    expect(fourth.status).toBe(429);
    const retryAfter = Number(fourth.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = await fourth.json();
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toMatch(/at most 3 every 60 seconds/);
    expect(await rowsFor(ip)).toBe(3);
  });

  it("holds under concurrency: 200 parallel requests of one client, exactly the cap accepted", async () => {
    const ip = "192.0.2.200";
    const answers = await Promise.all(Array.from({ length: 200 }, (_, index) => submit(ip, `Burst ${index}`)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(2);
    expect(statuses.filter((status) => status === 429)).toHaveLength(198);
    expect(await rowsFor(ip)).toBe(2);
  });

  it("does not let a client split its bucket with X-Forwarded-For values it chooses", async () => {
    const answers = [];
    for (let index = 0; index < 6; index += 1) {
      answers.push(await submit("192.0.2.77", "Rotating", { "x-forwarded-for": `198.18.0.${index}` }));
    }
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 429, 429, 429, 429]);
  });

  it("never stores the client's address, only a hash of it", async () => {
    const stored = await db.select({ clientKey: itineraries.clientKey }).from(itineraries);
    expect(stored.length).toBeGreaterThan(0);
    for (const { clientKey } of stored) {
      expect(clientKey).toMatch(/^[0-9a-f]{32}$/);
      expect(clientKey).not.toContain("203.0.113");
    }
  });
});
