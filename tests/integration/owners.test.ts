import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "../helpers/database";

// Every trip has an owner: an API key, or a browser's owner cookie. Reads by id stay public;
// changes need the owner (anyone else gets 404, as for an unknown id); history is private;
// Idempotency-Keys are per owner; with API keys configured, nothing anonymous is accepted.

const browser = vi.hoisted(() => ({ headers: new Headers(), set: [] as Array<{ name: string; value: string; options: object }> }));
vi.mock("next/headers", () => ({
  headers: async () => browser.headers,
  cookies: async () => ({ set: (name: string, value: string, options: object) => void browser.set.push({ name, value, options }) }),
}));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error("NEXT_REDIRECT"), { url });
  },
}));

vi.hoisted(() => {
  Object.assign(process.env, {
    JOB_RUNNER: "local",
    DEMO_MODEL_LATENCY_MS: "60000", // jobs stay processing: cancel has something to act on
    RATE_LIMIT_MAX_JOBS: "0",
    MAX_CONCURRENT_JOBS_PER_CLIENT: "0",
    API_KEYS: "key-a, key-b",
  });
});

const { resetEnvCache } = await import("@/lib/env");
resetEnvCache();
const collection = await import("@/app/api/itineraries/route");
const item = await import("@/app/api/itineraries/[id]/route");
const cancel = await import("@/app/api/itineraries/[id]/cancel/route");
const retry = await import("@/app/api/itineraries/[id]/retry/route");
const { submitItineraryAction } = await import("@/app/actions");
const { initialFormState } = await import("@/app/form");
const { insertItinerary, findItineraryById } = await import("@/lib/db/queries/itineraries");
const { itineraries } = await import("@/lib/db/schema");
const { localRunner } = await import("@/lib/jobs/local-functions");

let db: Awaited<ReturnType<typeof createTestDatabase>>["db"];
beforeAll(async () => {
  ({ db } = await createTestDatabase());
});
afterAll(async () => {
  for (const id of localRunner().activeJobIds) localRunner().cancel(id);
  await localRunner().drain();
});

const BASE = "http://localhost/api/itineraries";
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const key = (name: string) => ({ authorization: `Bearer ${name}` });

async function create(headers: Record<string, string>, body: object = { destination: "Ghent, Belgium", durationDays: 2 }) {
  const response = await collection.POST(
    new Request(BASE, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }),
  );
  return { status: response.status, body: (await response.json()) as { jobId: string; error?: { code: string } } };
}
const change = {
  cancel: (id: string, headers: Record<string, string>) => cancel.POST(new Request(`${BASE}/${id}/cancel`, { method: "POST", headers }), ctx(id)),
  retry: (id: string, headers: Record<string, string>) => retry.POST(new Request(`${BASE}/${id}/retry`, { method: "POST", headers }), ctx(id)),
  delete: (id: string, headers: Record<string, string>) => item.DELETE(new Request(`${BASE}/${id}`, { method: "DELETE", headers }), ctx(id)),
};
const list = async (headers: Record<string, string>) => {
  const response = await collection.GET(new Request(BASE, { headers }));
  return { status: response.status, ids: response.ok ? ((await response.json()) as { data: Array<{ id: string }> }).data.map((job) => job.id) : [] };
};
const statusOf = async (id: string) => (await findItineraryById({ id }))?.status;

/** Submits the web form as a browser with `cookie` (none: a first visit); answers the job id and the cookie set. */
async function submitForm(cookie?: string) {
  browser.headers = new Headers({ host: "localhost:3000", ...(cookie ? { cookie } : {}) });
  browser.set = [];
  const form = new FormData();
  form.set("destination", "Bruges, Belgium");
  form.set("durationDays", "2");
  const redirected = (await submitItineraryAction(initialFormState, form).catch((error: { url?: string }) => error)) as { url?: string };
  const jobId = redirected.url?.split("/").at(-1) ?? "";
  const set = browser.set.find((entry) => entry.name === "itinera_owner");
  return { jobId, cookie: set ? `itinera_owner=${set.value}` : cookie, options: set?.options };
}

describe("with API keys configured", () => {
  it("accepts nothing anonymous: creating, listing and changing need a key (or an owner cookie)", async () => {
    expect((await create({})).status).toBe(401);
    expect((await create(key("not-a-key"))).status).toBe(401);
    expect((await list({})).status).toBe(401);
    const { body } = await create(key("key-a"));
    expect((await change.cancel(body.jobId, {})).status).toBe(401);
    expect(await statusOf(body.jobId)).toBe("processing");
  });

  it("lets only the owning key cancel, retry and delete; to another key the job is not found", async () => {
    const { body } = await create(key("key-a"));
    const id = body.jobId;
    for (const verb of ["cancel", "retry", "delete"] as const) {
      const refused = await change[verb](id, key("key-b"));
      expect(refused.status, verb).toBe(404);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    expect(await statusOf(id)).toBe("processing");
    expect((await change.cancel(id, key("key-a"))).status).toBe(202);
    expect((await change.retry(id, key("key-b"))).status).toBe(404);
    expect(await statusOf(id)).toBe("cancelled");
    expect((await change.retry(id, key("key-a"))).status).toBe(202);
    expect((await change.delete(id, key("key-a"))).status).toBe(204);
    expect(await statusOf(id)).toBeUndefined();
  });

  it("keeps history private: each key lists its own jobs only", async () => {
    const mine = (await create(key("key-a"))).body.jobId;
    const theirs = (await create(key("key-b"))).body.jobId;
    const listed = await list(key("key-a"));
    expect(listed.ids).toContain(mine);
    expect(listed.ids).not.toContain(theirs);
  });

  it("scopes Idempotency-Keys to their owner: another key's replay is its own new job", async () => {
    const body = { destination: "Mechelen, Belgium", durationDays: 1 };
    const first = await create({ ...key("key-a"), "idempotency-key": "order-1" }, body);
    const replay = await create({ ...key("key-b"), "idempotency-key": "order-1" }, body);
    expect(replay.status).toBe(202);
    expect(replay.body.jobId).not.toBe(first.body.jobId);
    const other = await create({ ...key("key-b"), "idempotency-key": "order-2" }, body);
    const otherBody = await create({ ...key("key-a"), "idempotency-key": "order-2" }, { ...body, durationDays: 3 });
    expect([other.status, otherBody.status]).toEqual([202, 202]);
  });

  it("lets no key change a job that has no owner (one made before owners, or without a key)", async () => {
    const legacy = await insertItinerary({
      destination: "Old trip",
      durationDays: 1,
      pace: "balanced",
      budget: "moderate",
      travellers: 1,
      interests: [],
      model: "demo model",
      requestHash: "legacy",
    });
    expect((await change.delete(legacy.id, key("key-a"))).status).toBe(404);
    expect((await change.cancel(legacy.id, key("key-b"))).status).toBe(404);
    expect(await statusOf(legacy.id)).toBe("processing");
  });

  it("makes a browser an owner on its first submission, with a hashed, httpOnly cookie it alone can use", async () => {
    const first = await submitForm();
    expect(first.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
    const [row] = await db.select({ ownerKey: itineraries.ownerKey }).from(itineraries).where(eq(itineraries.id, first.jobId));
    expect(row?.ownerKey).toMatch(/^[0-9a-f]{32}$/);
    expect(first.cookie).not.toContain(row!.ownerKey!);

    // The same browser's second trip keeps its owner; a new cookie is not set.
    const second = await submitForm(first.cookie);
    expect(second.options).toBeUndefined();
    const mine = await list({ cookie: first.cookie! });
    expect(mine.ids).toEqual(expect.arrayContaining([first.jobId, second.jobId]));

    const stranger = await submitForm();
    expect((await list({ cookie: stranger.cookie! })).ids).not.toContain(first.jobId);
    expect((await change.cancel(first.jobId, { cookie: stranger.cookie! })).status).toBe(404);
    expect((await change.cancel(first.jobId, { cookie: first.cookie! })).status).toBe(202);

    // A made-up cookie is no owner: with API keys, it is anonymous and refused.
    const forged = `itinera_owner=${"A".repeat(43)}.${"B".repeat(43)}`;
    expect((await change.retry(first.jobId, { cookie: forged })).status).toBe(401);
    expect(await statusOf(first.jobId)).toBe("cancelled");
  });
});

describe("with no API keys (open mode)", () => {
  beforeAll(() => {
    delete process.env.API_KEYS;
    resetEnvCache();
  });

  it("creates ownerless jobs for an anonymous caller, which anyone holding the id may change", async () => {
    const { status, body } = await create({});
    expect(status).toBe(202);
    expect((await list({})).ids).toContain(body.jobId);
    expect((await change.cancel(body.jobId, {})).status).toBe(202);
  });

  it("still keeps a browser's trips to that browser", async () => {
    const owned = await submitForm();
    expect((await list({})).ids).not.toContain(owned.jobId);
    expect((await change.cancel(owned.jobId, {})).status).toBe(404);
    expect(await statusOf(owned.jobId)).toBe("processing");
  });
});
