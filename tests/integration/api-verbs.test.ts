import { beforeAll, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { createTestDatabase } from "../helpers/database";

// The public API's verbs through the real route handlers: conditional GET, retry, delete,
// API keys, idempotency keys and the event stream.

Object.assign(process.env, {
  JOB_RUNNER: "local",
  DEMO_MODEL_LATENCY_MS: "40",
  RATE_LIMIT_MAX_JOBS: "0",
  MAX_CONCURRENT_JOBS_PER_CLIENT: "0",
  API_KEYS: "key-alpha, key-beta",
});
(await import("@/lib/env")).resetEnvCache();
const collection = await import("@/app/api/itineraries/route");
const item = await import("@/app/api/itineraries/[id]/route");
const retry = await import("@/app/api/itineraries/[id]/retry/route");
const cancel = await import("@/app/api/itineraries/[id]/cancel/route");
const events = await import("@/app/api/itineraries/[id]/events/route");
const { endItinerary } = await import("@/lib/db/queries/itineraries");
const { localRunner } = await import("@/lib/jobs/local-functions");
const { itineraries, itineraryDays, jobSteps } = await import("@/lib/db/schema");
const { IDEMPOTENCY_KEY_TTL_MS } = await import("@/lib/itineraries/submit");

let db: Awaited<ReturnType<typeof createTestDatabase>>["db"];
beforeAll(async () => {
  ({ db } = await createTestDatabase());
});

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const url = (path = "") => `http://localhost/api/itineraries${path}`;
const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const post = (path: string) => new Request(url(path), { method: "POST", headers: auth("key-alpha") });

// API keys are configured here, so every change needs one: key-alpha unless a test says otherwise.
async function create(body: object, headers: Record<string, string> = {}) {
  const response = await collection.POST(
    new Request(url(), {
      method: "POST",
      headers: { "content-type": "application/json", ...auth("key-alpha"), ...headers },
      body: JSON.stringify(body),
    }),
  );
  return { response, body: (await response.json()) as { jobId: string; status: string; error?: { code: string } } };
}
const read = (id: string, headers: Record<string, string> = {}) => item.GET(new Request(url(`/${id}`), { headers }), ctx(id));
async function settle() {
  await new Promise((resolve) => setImmediate(resolve));
  await localRunner().drain();
}
const rowCount = async (table: typeof itineraryDays | typeof jobSteps, id: string) => {
  const column = table === itineraryDays ? itineraryDays.itineraryId : jobSteps.jobId;
  const [row] = await db.select({ value: count() }).from(table).where(eq(column, id));
  return row?.value ?? 0;
};

describe("conditional GET", () => {
  it("answers 304 to a matching If-None-Match and 200 with a new ETag once the job changes", async () => {
    const { body } = await create({ destination: "Ghent, Belgium", durationDays: 1 });
    const first = await read(body.jobId);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^W\/".+"$/);
    const unchanged = await read(body.jobId, { "if-none-match": etag });
    if ((await read(body.jobId)).headers.get("etag") === etag) expect(unchanged.status).toBe(304);
    await settle();
    const changed = await read(body.jobId, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect((await changed.json()).status).toBe("completed");
    expect((await read(body.jobId, { "if-none-match": changed.headers.get("etag")! })).status).toBe(304);
  });
});

describe("retry", () => {
  it("restarts a failed job, keeping its finished days, and refuses jobs that did not end badly", async () => {
    const { body } = await create({ destination: "Bruges, Belgium", durationDays: 2 });
    await settle();
    // Simulate a failure after day 1: drop day 2 and mark the job failed.
    await db.delete(itineraryDays).where(eq(itineraryDays.day, 2));
    await db.update(itineraries).set({ status: "processing", itinerary: null }).where(eq(itineraries.id, body.jobId));
    await endItinerary({ id: body.jobId, status: "failed", error: "The language model is unavailable (HTTP 503)." });
    const [dayOne] = await db.select().from(itineraryDays).where(eq(itineraryDays.itineraryId, body.jobId));

    const retried = await retry.POST(post(`/${body.jobId}/retry`), ctx(body.jobId));
    expect(retried.status).toBe(202);
    expect((await retried.json()).status).toBe("processing");
    await settle();
    const done = await (await read(body.jobId)).json();
    expect(done.status).toBe("completed");
    expect(done.error).toBeNull();
    expect(done.itinerary.map((day: { day: number }) => day.day)).toEqual([1, 2]);
    const [keptDayOne] = await db.select().from(itineraryDays).where(eq(itineraryDays.itineraryId, body.jobId));
    expect(keptDayOne?.createdAt).toEqual(dayOne?.createdAt);

    const again = await retry.POST(post(`/${body.jobId}/retry`), ctx(body.jobId));
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("conflict");
  });

  it("restarts a cancelled job", async () => {
    const { body } = await create({ destination: "Namur, Belgium", durationDays: 2 });
    expect((await cancel.POST(post(`/${body.jobId}/cancel`), ctx(body.jobId))).status).toBe(202);
    expect((await retry.POST(post(`/${body.jobId}/retry`), ctx(body.jobId))).status).toBe(202);
    await settle();
    expect((await (await read(body.jobId)).json()).status).toBe("completed");
  });
});

describe("API keys and DELETE", () => {
  it("listing needs a valid key and shows only that key's jobs", async () => {
    expect((await collection.GET(new Request(url()))).status).toBe(401);
    expect((await collection.GET(new Request(url(), { headers: auth("wrong") }))).status).toBe(401);
    const mine = await create({ destination: "Leuven, Belgium", durationDays: 1 }, auth("key-alpha"));
    const theirs = await create({ destination: "Mons, Belgium", durationDays: 1 }, auth("key-beta"));
    const listed = await (await collection.GET(new Request(url(), { headers: auth("key-alpha") }))).json();
    const ids = listed.data.map((job: { id: string }) => job.id);
    expect(ids).toContain(mine.body.jobId);
    expect(ids).not.toContain(theirs.body.jobId);
    expect((await create({ destination: "Liège", durationDays: 1 }, auth("nope"))).response.status).toBe(401);
    // Reading by id stays public.
    expect((await read(theirs.body.jobId)).status).toBe(200);
  });

  it("DELETE needs a key, hides other keys' jobs, cancels a running job and removes everything", async () => {
    const { body } = await create({ destination: "Antwerp, Belgium", durationDays: 3 }, auth("key-alpha"));
    const del = (key?: string) =>
      item.DELETE(new Request(url(`/${body.jobId}`), { method: "DELETE", headers: key ? auth(key) : {} }), ctx(body.jobId));
    expect((await del()).status).toBe(401);
    expect((await del("key-beta")).status).toBe(404);
    expect((await del("key-alpha")).status).toBe(204);
    await settle();
    expect((await read(body.jobId)).status).toBe(404);
    expect(await rowCount(itineraryDays, body.jobId)).toBe(0);
    expect(await rowCount(jobSteps, body.jobId)).toBe(0);
    expect((await del("key-alpha")).status).toBe(404);
  });
});

describe("idempotency keys", () => {
  it("same key and body → the same job; other body → 422; one row for concurrent requests", async () => {
    const body = { destination: "Dinant, Belgium", durationDays: 1 };
    const [a, b] = await Promise.all([create(body, { "idempotency-key": "k-1" }), create(body, { "idempotency-key": "k-1" })]);
    expect([a.response.status, b.response.status]).toEqual([202, 202]);
    expect(a.body.jobId).toBe(b.body.jobId);
    const other = await create({ ...body, durationDays: 2 }, { "idempotency-key": "k-1" });
    expect(other.response.status).toBe(422);
    expect(other.body.error?.code).toBe("idempotency_key_reused");
    const [rows] = await db.select({ value: count() }).from(itineraries).where(eq(itineraries.idempotencyKey, "k-1"));
    expect(rows?.value).toBe(1);
  });

  it("a key older than 24 hours starts a new job", async () => {
    const body = { destination: "Ypres, Belgium", durationDays: 1 };
    const first = await create(body, { "idempotency-key": "k-old" });
    await db
      .update(itineraries)
      .set({ createdAt: new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS - 60_000) })
      .where(eq(itineraries.id, first.body.jobId));
    const second = await create(body, { "idempotency-key": "k-old" });
    expect(second.response.status).toBe(202);
    expect(second.body.jobId).not.toBe(first.body.jobId);
  });
});

async function readEvents(id: string, headers: Record<string, string> = {}) {
  const response = await events.GET(new Request(url(`/${id}/events`), { headers }), ctx(id));
  return { response, text: response.body ? await new Response(response.body).text() : "" };
}

describe("the event stream", () => {
  it("sends snapshots with ids until the job ends, then closes", async () => {
    const { body } = await create({ destination: "Ostend, Belgium", durationDays: 2 });
    const { response, text } = await readEvents(body.jobId);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(text).toMatch(/^retry: \d+/);
    const snapshots = [...text.matchAll(/event: snapshot\nid: (\d+)\ndata: (.*)\n\n/g)];
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    const statuses = snapshots.map((match) => JSON.parse(match[2]!).status);
    expect(statuses.at(-1)).toBe("completed");
    expect(statuses[0]).toBe("processing");
    const lastId = snapshots.at(-1)![1]!;
    // Resuming with the last id: nothing new to send for a finished job.
    const resumed = await readEvents(body.jobId, { "last-event-id": lastId });
    expect(resumed.text).not.toContain("event: snapshot");
  });

  it("answers 404 JSON for an unknown job", async () => {
    const { response, text } = await readEvents("00000000-0000-4000-8000-000000000000");
    expect(response.status).toBe(404);
    expect(JSON.parse(text).error.code).toBe("not_found");
  });
});
