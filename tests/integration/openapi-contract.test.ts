import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { contractChecker, type OpenApiDocument } from "../helpers/openapi-contract";

// The OpenAPI document is a valid OpenAPI 3.1 document, and every route answers what it
// declares: each live response (success and error) is validated against the schema and
// headers the document gives for that path, method, status and content type.

vi.hoisted(() => {
  process.env.JOB_RUNNER = "local";
  process.env.DEMO_MODEL_LATENCY_MS = "0";
  process.env.RATE_LIMIT_MAX_JOBS = "0";
  process.env.MAX_CONCURRENT_JOBS_PER_CLIENT = "0";
  for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "DATABASE_URL", "INNGEST_DEV", "INNGEST_EVENT_KEY", "APP_URL", "API_KEYS"]) {
    delete process.env[name];
  }
});

import * as openApiRoute from "@/app/api/openapi.json/route";
import * as collectionRoute from "@/app/api/itineraries/route";
import * as itemRoute from "@/app/api/itineraries/[id]/route";
import * as cancelRoute from "@/app/api/itineraries/[id]/cancel/route";
import * as healthRoute from "@/app/api/health/route";
import * as revisionsRoute from "@/app/api/itineraries/[id]/days/[day]/revisions/route";
import * as undoRoute from "@/app/api/itineraries/[id]/days/[day]/undo/route";
import * as activityRoute from "@/app/api/itineraries/[id]/days/[day]/activities/[index]/route";
import * as livenessRoute from "@/app/api/health/live/route";
import { NextRequest } from "next/server";
import { resetEnvCache } from "@/lib/env";
import { proxy } from "@/proxy";
import { findItineraryById, insertItinerary } from "@/lib/db/queries/itineraries";
import { localRunner } from "@/lib/jobs/local-functions";
import { createTestDatabase } from "../helpers/database";

type Handler = (request: Request, context: { params: Promise<{ id: string } & Record<string, string>> }) => Response | Promise<Response>;
type RouteModule = Partial<Record<"GET" | "POST" | "DELETE", Handler>>;

/** Routes still being written may be missing; their cases are skipped, not failed. */
async function optionalRoute(relativePath: string): Promise<RouteModule | null> {
  try {
    return (await import(/* @vite-ignore */ relativePath)) as RouteModule;
  } catch {
    return null;
  }
}
const retryRoute = await optionalRoute("../../app/api/itineraries/[id]/retry/route");
const eventsRoute = await optionalRoute("../../app/api/itineraries/[id]/events/route");
const realtimeTokenRoute = await optionalRoute("../../app/api/itineraries/[id]/realtime-token/route");
const deleteItem = (itemRoute as RouteModule).DELETE;
/** A title suffix that says why a case is skipped. */
const unlessMissing = (handler: unknown, what: string) => (handler ? "" : ` (skipped: ${what} does not exist yet)`);

const ORIGIN = "http://localhost:3000";
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const ITEM = "/api/itineraries/{id}";
const COLLECTION = "/api/itineraries";
const valid = { destination: "Lisbon, Portugal", durationDays: 2 };
const REVISIONS = `${ITEM}/days/{day}/revisions`;
const UNDO = `${ITEM}/days/{day}/undo`;
const ACTIVITY = `${ITEM}/days/{day}/activities/{index}`;

const routes: Record<string, RouteModule | null> = {
  [COLLECTION]: collectionRoute as RouteModule,
  [ITEM]: itemRoute as RouteModule,
  [`${ITEM}/cancel`]: cancelRoute as RouteModule,
  [`${ITEM}/retry`]: retryRoute,
  [`${ITEM}/events`]: eventsRoute,
  [`${ITEM}/realtime-token`]: realtimeTokenRoute,
  [REVISIONS]: revisionsRoute as RouteModule,
  [UNDO]: undoRoute as RouteModule,
  [ACTIVITY]: activityRoute as RouteModule,
  "/api/health": healthRoute as RouteModule,
  "/api/health/live": livenessRoute as RouteModule,
  "/api/openapi.json": openApiRoute as RouteModule,
};

const context = (id: string, more: Record<string, string> = {}) => ({ params: Promise.resolve({ id, ...more }) });
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  new Request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
const get = (path: string, headers: Record<string, string> = {}) => new Request(`${ORIGIN}${path}`, { headers });

let document: OpenApiDocument;
let contract: ReturnType<typeof contractChecker>;

/** Through proxy.ts first, as in production: it may answer (CORS, 403, 405) before the route. */
async function call(path: string, method: "GET" | "POST" | "DELETE", request: Request, id?: string, more?: Record<string, string>) {
  const handler = routes[path]?.[method];
  if (!handler) throw new Error(`No ${method} handler for ${path}`);
  const early = await proxy(new NextRequest(request.url, { method: request.method, headers: request.headers }));
  const response = early.headers.get("x-middleware-next") === "1" ? await handler(request, context(id ?? "", more)) : early;
  const status = response.status;
  const body = await contract.check(path, method, response);
  return { status, body, headers: response.headers };
}

const errorCode = (body: unknown) => (body as { error: { code: string } }).error.code;

/** A processing job that no runner works on, so its state holds still. */
const idleJob = () =>
  insertItinerary({
    destination: "Ghent, Belgium",
    durationDays: 2,
    startDate: null,
    interests: [],
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    status: "processing",
    model: "demo model",
    requestHash: "contract-test",
  });

async function finishedJobId(): Promise<string> {
  const { body } = await call(COLLECTION, "POST", post(COLLECTION, JSON.stringify(valid)));
  const id = (body as { jobId: string }).jobId;
  await vi.waitFor(
    async () => {
      const response = await itemRoute.GET(get(`/api/itineraries/${id}`), context(id));
      expect(((await response.json()) as { status: string }).status).toBe("completed");
    },
    { timeout: 10_000, interval: 50 },
  );
  return id;
}

beforeAll(async () => {
  await createTestDatabase();
  const response = await openApiRoute.GET();
  document = (await response.clone().json()) as OpenApiDocument;
  contract = contractChecker(document);
  await contract.check("/api/openapi.json", "GET", response);
});

afterAll(async () => {
  await localRunner().drain();
});

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("describes exactly the methods each route module exports", () => {
    expect(Object.keys(document.paths).sort()).toEqual(Object.keys(routes).sort());
    for (const [path, module] of Object.entries(routes)) {
      if (!module) continue;
      const exported = Object.keys(module).filter((name) => ["GET", "POST", "PUT", "PATCH", "DELETE"].includes(name));
      expect(Object.keys(document.paths[path]!).map((method) => method.toUpperCase()).sort(), path).toEqual(
        exported.sort(),
      );
    }
  });
});

describe("live responses match the document", () => {
  it("POST /api/itineraries: 202 with Location, and each refusal in the error envelope", async () => {
    const accepted = await call(COLLECTION, "POST", post(COLLECTION, JSON.stringify(valid), { "idempotency-key": "k-1" }));
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get("location")).toBe((accepted.body as { statusUrl: string }).statusUrl);

    const refusals: Array<[Request, number, string]> = [
      [post(COLLECTION, "{ not json"), 400, "invalid_json"],
      [post(COLLECTION, JSON.stringify(valid), { "idempotency-key": "x".repeat(256) }), 400, "bad_request"],
      [post(COLLECTION, JSON.stringify({ ...valid, destination: "x".repeat(20_000) })), 413, "payload_too_large"],
      [post(COLLECTION, "destination=Lisbon", { "content-type": "text/plain" }), 415, "unsupported_media_type"],
      [post(COLLECTION, JSON.stringify({ destination: "L", durationDays: 99 })), 422, "validation_failed"],
      [post(COLLECTION, JSON.stringify({ ...valid, durationDays: 3 }), { "idempotency-key": "k-1" }), 422, "idempotency_key_reused"],
    ];
    for (const [request, status, code] of refusals) {
      const answer = await call(COLLECTION, "POST", request);
      expect([answer.status, errorCode(answer.body)]).toEqual([status, code]);
    }
  });

  it("GET /api/itineraries: pages with a cursor; a bad query is 400", async () => {
    await call(COLLECTION, "POST", post(COLLECTION, JSON.stringify(valid)));
    const first = await call(COLLECTION, "GET", get(`${COLLECTION}?limit=1`));
    const cursor = (first.body as { nextCursor: string | null }).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const second = await call(COLLECTION, "GET", get(`${COLLECTION}?limit=1&status=processing&cursor=${cursor}`));
    expect(second.status).toBe(200);
    for (const query of ["limit=0", "status=done", "cursor=bm9wZQ"]) {
      const refused = await call(COLLECTION, "GET", get(`${COLLECTION}?${query}`));
      expect([refused.status, errorCode(refused.body)]).toEqual([400, "bad_request"]);
    }
  });

  it("GET /api/itineraries/{id}: 200 while processing and once completed, 304 for its ETag, 404 unknown", async () => {
    const idle = await idleJob();
    const processing = await call(ITEM, "GET", get(`/api/itineraries/${idle.id}`), idle.id);
    expect(processing.headers.get("retry-after")).not.toBeNull();
    const etag = processing.headers.get("etag");
    expect(etag).toBeTruthy();
    const unchanged = await call(ITEM, "GET", get(`/api/itineraries/${idle.id}`, { "if-none-match": etag! }), idle.id);
    expect(unchanged.status).toBe(304);

    const id = await finishedJobId();
    const completed = await call(ITEM, "GET", get(`/api/itineraries/${id}`), id);
    expect((completed.body as { itinerary: unknown[] }).itinerary).toHaveLength(2);

    for (const unknown of [UNKNOWN_ID, "not-a-uuid"]) {
      const missing = await call(ITEM, "GET", get(`/api/itineraries/${unknown}`), unknown);
      expect([missing.status, errorCode(missing.body)]).toEqual([404, "not_found"]);
    }
  });

  it("POST /api/itineraries/{id}/cancel: 202, then 409 once ended, 404 unknown", async () => {
    const { id } = await idleJob();
    const cancel = (jobId: string) => call(`${ITEM}/cancel`, "POST", post(`/api/itineraries/${jobId}/cancel`, ""), jobId);
    const cancelled = await cancel(id);
    expect([cancelled.status, (cancelled.body as { status: string }).status]).toEqual([202, "cancelled"]);
    const again = await cancel(id);
    expect([again.status, errorCode(again.body)]).toEqual([409, "conflict"]);
    expect((await cancel(UNKNOWN_ID)).status).toBe(404);
  });

  it.skipIf(!retryRoute?.POST)(
    `POST /api/itineraries/{id}/retry: 202 for a cancelled job, 409 for a completed one, 404 unknown${unlessMissing(retryRoute?.POST, "the retry route")}`,
    async () => {
      const retry = (jobId: string) => call(`${ITEM}/retry`, "POST", post(`/api/itineraries/${jobId}/retry`, ""), jobId);
      const { id } = await idleJob();
      await call(`${ITEM}/cancel`, "POST", post(`/api/itineraries/${id}/cancel`, ""), id);
      const retried = await retry(id);
      expect([retried.status, (retried.body as { status: string }).status]).toEqual([202, "processing"]);
      const conflict = await retry(await finishedJobId());
      expect([conflict.status, errorCode(conflict.body)]).toEqual([409, "conflict"]);
      expect((await retry(UNKNOWN_ID)).status).toBe(404);
    },
  );

  it.skipIf(!deleteItem)(
    `DELETE /api/itineraries/{id}: 204, then 404${unlessMissing(deleteItem, "the DELETE handler")}`,
    async () => {
      const { id } = await idleJob();
      const remove = () => call(ITEM, "DELETE", new Request(`${ORIGIN}/api/itineraries/${id}`, { method: "DELETE" }), id);
      expect((await remove()).status).toBe(204);
      const gone = await remove();
      expect([gone.status, errorCode(gone.body)]).toEqual([404, "not_found"]);
    },
  );

  it.skipIf(!eventsRoute?.GET)(
    `GET /api/itineraries/{id}/events: snapshots that match ItineraryResource, 404 unknown${unlessMissing(eventsRoute?.GET, "the events route")}`,
    async () => {
      const id = await finishedJobId();
      const stream = await call(`${ITEM}/events`, "GET", get(`/api/itineraries/${id}/events`), id);
      const events = String(stream.body).split("\n\n").filter(Boolean);
      expect(events[0]).toMatch(/^retry: \d+$/m);
      const snapshots = events.filter((event) => event.startsWith("event: snapshot\n"));
      expect(snapshots.length).toBeGreaterThan(0);
      for (const event of snapshots) {
        expect(event).toMatch(/^id: \S+$/m);
        contract.checkComponent("ItineraryResource", JSON.parse(/^data: (.*)$/m.exec(event)![1]!));
      }
      const missing = await call(`${ITEM}/events`, "GET", get(`/api/itineraries/${UNKNOWN_ID}/events`), UNKNOWN_ID);
      expect(missing.status).toBe(404);
    },
  );

  it.skipIf(!realtimeTokenRoute?.GET)(
    `GET /api/itineraries/{id}/realtime-token: 409 on the local runner, 404 unknown${unlessMissing(realtimeTokenRoute?.GET, "the realtime token route")}`,
    async () => {
      const { id } = await idleJob();
      const local = await call(`${ITEM}/realtime-token`, "GET", get(`/api/itineraries/${id}/realtime-token`), id);
      expect([local.status, errorCode(local.body)]).toEqual([409, "conflict"]);
      const missing = await call(`${ITEM}/realtime-token`, "GET", get(`/api/itineraries/${UNKNOWN_ID}/realtime-token`), UNKNOWN_ID);
      expect([missing.status, errorCode(missing.body)]).toEqual([404, "not_found"]);
    },
  );
  it("POST …/days/{day}/revisions: 202 with Location, then the day revised; each refusal in the error envelope", async () => {
    const id = await finishedJobId();
    const path = (day: string) => `/api/itineraries/${id}/days/${day}/revisions`;
    const revise = (day: string, body: string, headers: Record<string, string> = {}) => call(REVISIONS, "POST", post(path(day), body, headers), id, { day });
    const accepted = await revise("1", JSON.stringify({ instruction: "more relaxed" }), { "idempotency-key": "contract-revision" });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get("location")).toBe(`${ORIGIN}/api/itineraries/${id}`);
    await vi.waitFor(
      async () => {
        const job = (await call(ITEM, "GET", get(`/api/itineraries/${id}`), id)).body as { days: Array<{ state: string; revision: number }> };
        expect(job.days[0]).toMatchObject({ state: "ready", revision: 2 });
      },
      { timeout: 10_000, interval: 50 },
    );
    expect((await revise("1", "{not json")).status).toBe(400);
    expect((await revise("1", JSON.stringify({ instruction: "again" }), { "idempotency-key": "x".repeat(1000) })).status).toBe(400);
    const invalid = await revise("1", JSON.stringify({ instruction: "" }));
    expect([invalid.status, errorCode(invalid.body)]).toEqual([422, "validation_failed"]);
    expect((await revise("9", JSON.stringify({ instruction: "x" }))).status).toBe(404);
    const unknown = await call(REVISIONS, "POST", post(`/api/itineraries/${UNKNOWN_ID}/days/1/revisions`, JSON.stringify({ instruction: "x" })), UNKNOWN_ID, { day: "1" });
    expect([unknown.status, errorCode(unknown.body)]).toEqual([404, "not_found"]);
    const processing = (await idleJob()).id;
    const conflict = await call(REVISIONS, "POST", post(`/api/itineraries/${processing}/days/1/revisions`, JSON.stringify({ instruction: "x" })), processing, { day: "1" });
    expect([conflict.status, errorCode(conflict.body)]).toEqual([409, "conflict"]);
  });

  it("DELETE …/days/{day}/activities/{index} and POST …/days/{day}/undo: 200 with the job; 409 with nothing to undo; 404 unknown", async () => {
    const id = await finishedJobId();
    const remove = (day: string, index: string, target = id) =>
      call(ACTIVITY, "DELETE", new Request(`${ORIGIN}/api/itineraries/${target}/days/${day}/activities/${index}`, { method: "DELETE" }), target, { day, index });
    const undo = (day: string, target = id) => call(UNDO, "POST", post(`/api/itineraries/${target}/days/${day}/undo`, ""), target, { day });

    const nothing = await undo("2");
    expect([nothing.status, errorCode(nothing.body)]).toEqual([409, "conflict"]);
    const removed = await remove("2", "0");
    expect(removed.status).toBe(200);
    expect((removed.body as { days: Array<{ revision: number }> }).days[1]!.revision).toBe(2);
    const undone = await undo("2");
    expect(undone.status).toBe(200);
    expect((undone.body as { days: Array<{ revision: number }> }).days[1]!.revision).toBe(1);
    expect((await remove("2", "99")).status).toBe(404);
    expect((await remove("1", "0", UNKNOWN_ID)).status).toBe(404);
    expect((await undo("1", UNKNOWN_ID)).status).toBe(404);
    const processing = (await idleJob()).id;
    expect((await remove("1", "0", processing)).status).toBe(409);
  });

  it("GET /api/health: 200 with the health resource", async () => {
    expect((await call("/api/health", "GET", get("/api/health"))).status).toBe(200);
  });

  it("GET /api/health/live: 200 with the liveness answer, never cached", async () => {
    const live = await call("/api/health/live", "GET", get("/api/health/live"));
    expect([live.status, live.body]).toEqual([200, { status: "ok" }]);
    expect(live.headers.get("cache-control")).toBe("no-store");
  });
});

describe("with API keys, a rate limit and a stream cap configured", () => {
  beforeAll(() => {
    process.env.API_KEYS = "contract-key";
    process.env.RATE_LIMIT_MAX_JOBS = "1";
    process.env.SSE_MAX_PER_CLIENT = "1";
    resetEnvCache();
  });
  afterAll(() => {
    delete process.env.API_KEYS;
    delete process.env.SSE_MAX_PER_CLIENT;
    process.env.RATE_LIMIT_MAX_JOBS = "0";
    resetEnvCache();
  });

  it("listing without a key, or submitting with a wrong one, is 401", async () => {
    const list = await call(COLLECTION, "GET", get(COLLECTION));
    expect([list.status, errorCode(list.body)]).toEqual([401, "unauthorized"]);
    const wrongKey = await call(COLLECTION, "POST", post(COLLECTION, JSON.stringify(valid), { authorization: "Bearer nope" }));
    expect(wrongKey.status).toBe(401);
    const listed = await call(COLLECTION, "GET", get(COLLECTION, { authorization: "Bearer contract-key" }));
    expect(listed.status).toBe(200);
  });

  it.skipIf(!deleteItem)(`deleting without a key is 401${unlessMissing(deleteItem, "the DELETE handler")}`, async () => {
    const request = new Request(`${ORIGIN}/api/itineraries/${UNKNOWN_ID}`, { method: "DELETE" });
    const answer = await call(ITEM, "DELETE", request, UNKNOWN_ID);
    expect([answer.status, errorCode(answer.body)]).toEqual([401, "unauthorized"]);
  });

  it("changes without a key are 401; a browser write from a foreign origin is 403 before anything else", async () => {
    const id = (await idleJob()).id;
    for (const verb of ["cancel", "retry"]) {
      const anonymous = await call(`${ITEM}/${verb}`, "POST", post(`/api/itineraries/${id}/${verb}`, ""), id);
      expect([anonymous.status, errorCode(anonymous.body)]).toEqual([401, "unauthorized"]);
      const foreign = await call(`${ITEM}/${verb}`, "POST", post(`/api/itineraries/${id}/${verb}`, "", { origin: "https://evil.example" }), id);
      expect([foreign.status, errorCode(foreign.body)]).toEqual([403, "forbidden"]);
    }
    const foreignDelete = await call(ITEM, "DELETE", new Request(`${ORIGIN}/api/itineraries/${id}`, { method: "DELETE", headers: { origin: "https://evil.example" } }), id);
    expect([foreignDelete.status, errorCode(foreignDelete.body)]).toEqual([403, "forbidden"]);
    const days = [
      [REVISIONS, "POST", `/api/itineraries/${id}/days/1/revisions`, JSON.stringify({ instruction: "more food" })],
      [UNDO, "POST", `/api/itineraries/${id}/days/1/undo`, ""],
      [ACTIVITY, "DELETE", `/api/itineraries/${id}/days/1/activities/0`, null],
    ] as const;
    for (const [path, method, url, body] of days) {
      const request = (headers: Record<string, string>) =>
        new Request(`${ORIGIN}${url}`, { method, headers: { "content-type": "application/json", ...headers }, ...(body === null ? {} : { body }) });
      const anonymous = await call(path, method, request({}), id, { day: "1", index: "0" });
      expect([anonymous.status, errorCode(anonymous.body)], path).toEqual([401, "unauthorized"]);
      const foreign = await call(path, method, request({ origin: "https://evil.example" }), id, { day: "1", index: "0" });
      expect([foreign.status, errorCode(foreign.body)], path).toEqual([403, "forbidden"]);
    }
    const foreignSubmit = await call(COLLECTION, "POST", post(COLLECTION, JSON.stringify(valid), { origin: "https://evil.example" }));
    expect([foreignSubmit.status, errorCode(foreignSubmit.body)]).toEqual([403, "forbidden"]);
    expect((await findItineraryById({ id }))?.status).toBe("processing");
  });

  it.skipIf(!eventsRoute?.GET)(
    `a stream asked for with a wrong key is 401; past the client's stream cap, 429 with Retry-After${unlessMissing(eventsRoute?.GET, "the events route")}`,
    async () => {
      const { id } = await idleJob();
      const path = `/api/itineraries/${id}/events`;
      const wrongKey = await call(`${ITEM}/events`, "GET", get(path, { authorization: "Bearer nope" }), id);
      expect([wrongKey.status, errorCode(wrongKey.body)]).toEqual([401, "unauthorized"]);

      // The job is processing, so this stream stays open until the client leaves.
      const client = new AbortController();
      const headers = { authorization: "Bearer contract-key" };
      const held = await eventsRoute!.GET!(new Request(`${ORIGIN}${path}`, { headers, signal: client.signal }), context(id));
      expect(held.status).toBe(200);
      try {
        const refused = await call(`${ITEM}/events`, "GET", get(path, headers), id);
        expect([refused.status, errorCode(refused.body)]).toEqual([429, "too_many_streams"]);
      } finally {
        client.abort();
      }
    },
  );

  it("a client past its rate limit gets 429 with Retry-After", async () => {
    // With a key, the key is the client: its second job in the window is refused.
    const headers = { authorization: "Bearer contract-key" };
    expect((await call(COLLECTION, "POST", post(COLLECTION, JSON.stringify(valid), headers))).status).toBe(202);
    const limited = await call(COLLECTION, "POST", post(COLLECTION, JSON.stringify(valid), headers));
    expect([limited.status, errorCode(limited.body)]).toEqual([429, "rate_limited"]);
  });
});

describe("coverage", () => {
  it("exercises every declared response except the unexpected-error and outage ones", () => {
    const seen = new Set(contract.checked.map(({ path, method, status }) => `${method} ${path} ${status}`));
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      if (!routes[path]) continue;
      for (const [method, operation] of Object.entries(operations)) {
        if (method === "delete" && !deleteItem) continue;
        for (const status of Object.keys(operation.responses)) {
          if (status === "default" || status === "503") continue;
          // A token needs the Inngest runner: inngest-realtime.test.ts checks that answer against this document.
          if (path === `${ITEM}/realtime-token` && status === "200") continue;
          if (!seen.has(`${method.toUpperCase()} ${path} ${status}`)) missing.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
