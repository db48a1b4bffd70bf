import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Changing a day belongs to the trip's owner, like cancel, retry and delete: an API key's
// trips to that key, a browser's to its owner cookie. To anyone else a revise, undo or
// remove is "not found" (404) and changes nothing; with API keys configured, an anonymous
// caller is refused (401); a browser write from a foreign origin is refused (403) by the
// proxy before any route runs.

vi.hoisted(() => {
  process.env.JOB_RUNNER = "local";
  process.env.DEMO_MODEL_LATENCY_MS = "0";
  process.env.RATE_LIMIT_MAX_JOBS = "0";
  process.env.MAX_CONCURRENT_JOBS_PER_CLIENT = "0";
  process.env.API_KEYS = "key-a, key-b";
  for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "DATABASE_URL", "INNGEST_DEV", "INNGEST_EVENT_KEY", "APP_URL"]) {
    delete process.env[name];
  }
});

import { NextRequest } from "next/server";
import * as jobRoute from "@/app/api/itineraries/[id]/route";
import * as revisionsRoute from "@/app/api/itineraries/[id]/days/[day]/revisions/route";
import * as undoRoute from "@/app/api/itineraries/[id]/days/[day]/undo/route";
import * as activityRoute from "@/app/api/itineraries/[id]/days/[day]/activities/[index]/route";
import { ownerKeyOf } from "@/lib/api/caller";
import { mintOwner } from "@/lib/api/owner";
import { insertItinerary } from "@/lib/db/queries/itineraries";
import type { ItineraryResource } from "@/lib/domain/resource";
import { resetEnvCache } from "@/lib/env";
import { createGenerationRunner, revisionRunner } from "@/lib/jobs/local-functions";
import { proxy } from "@/proxy";
import { createTestDatabase } from "../helpers/database";

const ORIGIN = "http://localhost:3000";
type Headers = Record<string, string>;
const key = (name: string): Headers => ({ authorization: `Bearer ${name}` });
const params = <T extends Record<string, string>>(values: T) => ({ params: Promise.resolve(values) });

/** A completed two-day trip owned by `ownerKey`, written by the demo model. */
async function completedTrip(ownerKey: string | null): Promise<string> {
  const job = await insertItinerary({
    status: "processing",
    destination: "Lisbon, Portugal",
    durationDays: 2,
    startDate: null,
    interests: ["food", "museums"],
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    model: "demo model",
    requestHash: `revisions-owners-${Math.random()}`,
    ownerKey,
  });
  expect(await createGenerationRunner().start({ id: job.id })).toBe("completed");
  return job.id;
}

async function read(id: string): Promise<ItineraryResource> {
  const response = await jobRoute.GET(new Request(`${ORIGIN}/api/itineraries/${id}`), params({ id }));
  expect(response.status).toBe(200);
  return (await response.json()) as ItineraryResource;
}

/** What a change could touch: each day's revision, state and plan. */
const daysOf = async (id: string) => JSON.stringify((await read(id)).days);

const requests = {
  revise: (id: string, headers: Headers, day = 1) =>
    new Request(`${ORIGIN}/api/itineraries/${id}/days/${day}/revisions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ instruction: "more relaxed" }),
    }),
  undo: (id: string, headers: Headers, day = 1) => new Request(`${ORIGIN}/api/itineraries/${id}/days/${day}/undo`, { method: "POST", headers }),
  remove: (id: string, headers: Headers, day = 1, index = 0) =>
    new Request(`${ORIGIN}/api/itineraries/${id}/days/${day}/activities/${index}`, { method: "DELETE", headers }),
};
type Verb = keyof typeof requests;
const VERBS: Verb[] = ["revise", "undo", "remove"];

/** The route's answer to `verb`, called as Next.js would after the proxy let it through. */
function route(verb: Verb, id: string, headers: Headers, day = 1, index = 0): Promise<Response> {
  const request = requests[verb](id, headers, day, index);
  if (verb === "revise") return revisionsRoute.POST(request, params({ id, day: String(day) }));
  if (verb === "undo") return undoRoute.POST(request, params({ id, day: String(day) }));
  return activityRoute.DELETE(request, params({ id, day: String(day), index: String(index) }));
}

/** Through proxy.ts first, as in production: it may answer (403) before the route. */
async function throughProxy(verb: Verb, id: string, headers: Headers): Promise<Response> {
  const request = requests[verb](id, headers);
  const early = await proxy(new NextRequest(request.url, { method: request.method, headers: request.headers }));
  return early.headers.get("x-middleware-next") === "1" ? route(verb, id, headers) : early;
}

const codeOf = async (response: Response) => ((await response.json()) as { error?: { code: string } }).error?.code;

/** Waits until day `day` is no longer revising. */
async function settled(id: string, day: number): Promise<ItineraryResource> {
  await vi.waitFor(async () => expect((await read(id)).days[day - 1]!.state).not.toBe("revising"), { timeout: 10_000, interval: 20 });
  await revisionRunner().drain();
  return read(id);
}

let browser: { ownerKey: string; cookie: string };
let stranger: { ownerKey: string; cookie: string };

beforeAll(async () => {
  resetEnvCache();
  await createTestDatabase();
  const mint = async () => {
    const { owner, cookie } = await mintOwner("localhost:3000");
    return { ownerKey: owner.ownerKey, cookie: `${cookie.name}=${cookie.value}` };
  };
  browser = await mint();
  stranger = await mint();
});

afterAll(async () => {
  await revisionRunner().drain();
});

describe("changing a day of someone else's trip", () => {
  it("is 404 for another API key, another browser and a browser against a key's trip, and changes nothing", async () => {
    const keyTrip = await completedTrip(ownerKeyOf("key-a"));
    const browserTrip = await completedTrip(browser.ownerKey);
    // The owners change a stop first, so there is something a stranger could undo.
    expect((await route("remove", keyTrip, key("key-a"), 2, 0)).status).toBe(200);
    expect((await route("remove", browserTrip, { cookie: browser.cookie }, 2, 0)).status).toBe(200);

    const cases: Array<[string, string, Headers]> = [
      ["another key", keyTrip, key("key-b")],
      ["a browser", keyTrip, { cookie: browser.cookie }],
      ["another browser", browserTrip, { cookie: stranger.cookie }],
      ["an API key", browserTrip, key("key-a")],
    ];
    for (const [who, id, headers] of cases) {
      const before = await daysOf(id);
      for (const day of [1, 2]) {
        for (const verb of VERBS) {
          const response = await route(verb, id, headers, day);
          expect([response.status, await codeOf(response)], `${verb} day ${day} by ${who}`).toEqual([404, "not_found"]);
        }
      }
      expect(await daysOf(id), who).toBe(before);
    }
    expect(revisionRunner().activeJobIds).toEqual([]);
  });

  it("answers a stranger exactly as for an id that does not exist", async () => {
    const id = await completedTrip(ownerKeyOf("key-a"));
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const verb of VERBS) {
      const theirs = await route(verb, id, key("key-b"));
      const missing = await route(verb, unknown, key("key-b"));
      expect(theirs.status).toBe(missing.status);
      const strip = (body: { error: { requestId?: string } }) => ({ ...body, error: { ...body.error, requestId: undefined } });
      expect(strip(await theirs.json())).toEqual(strip(await missing.json()));
    }
  });
});

describe("changing a day of one's own trip", () => {
  it("works for the owning API key: revise, remove, undo", async () => {
    const id = await completedTrip(ownerKeyOf("key-a"));
    const before = await read(id);
    const accepted = await route("revise", id, key("key-a"));
    expect(accepted.status).toBe(202);
    const revised = (await settled(id, 1)).days[0]!;
    expect(revised).toMatchObject({ revision: 2, state: "ready", error: null });
    expect(revised.activities.length).toBeLessThan(before.days[0]!.activities.length);

    const removed = await route("remove", id, key("key-a"), 1, 0);
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as ItineraryResource).days[0]!.revision).toBe(3);
    const undone = await route("undo", id, key("key-a"));
    expect(undone.status).toBe(200);
    expect(((await undone.json()) as ItineraryResource).days[0]).toEqual(revised);
  });

  it("works for the owning browser, by its cookie", async () => {
    const id = await completedTrip(browser.ownerKey);
    const before = (await read(id)).days[1]!;
    expect((await route("revise", id, { cookie: browser.cookie }, 2)).status).toBe(202);
    expect((await settled(id, 2)).days[1]).toMatchObject({ revision: 2, state: "ready" });
    expect((await route("undo", id, { cookie: browser.cookie }, 2)).status).toBe(200);
    expect((await read(id)).days[1]).toEqual(before);
    expect((await route("remove", id, { cookie: browser.cookie }, 2, 1)).status).toBe(200);
  });
});

describe("with API keys configured", () => {
  it("refuses an anonymous caller (401), even for an ownerless trip, and changes nothing", async () => {
    for (const id of [await completedTrip(ownerKeyOf("key-a")), await completedTrip(null)]) {
      const before = await daysOf(id);
      for (const verb of VERBS) {
        const response = await route(verb, id, {});
        expect([response.status, await codeOf(response)], verb).toEqual([401, "unauthorized"]);
        const wrongKey = await route(verb, id, key("not-a-key"));
        expect(wrongKey.status, verb).toBe(401);
      }
      expect(await daysOf(id)).toBe(before);
    }
  });

  it("refuses a browser write from a foreign origin (403) before the route, even with the owner's cookie", async () => {
    const id = await completedTrip(browser.ownerKey);
    const before = await daysOf(id);
    for (const verb of VERBS) {
      const refused = await throughProxy(verb, id, { cookie: browser.cookie, origin: "https://evil.example" });
      expect([refused.status, await codeOf(refused)], verb).toEqual([403, "forbidden"]);
    }
    expect(await daysOf(id)).toBe(before);
    // The same browser on the app's own origin may.
    const own = await throughProxy("remove", id, { cookie: browser.cookie, origin: ORIGIN });
    expect(own.status).toBe(200);
  });
});

describe("with no API keys (open mode)", () => {
  beforeAll(() => {
    delete process.env.API_KEYS;
    resetEnvCache();
  });
  afterAll(() => {
    process.env.API_KEYS = "key-a, key-b";
    resetEnvCache();
  });

  it("lets anyone change an ownerless trip, but keeps a browser's trip to that browser", async () => {
    const ownerless = await completedTrip(null);
    expect((await route("remove", ownerless, {}, 1, 0)).status).toBe(200);
    expect((await route("undo", ownerless, {})).status).toBe(200);

    const owned = await completedTrip(browser.ownerKey);
    const before = await daysOf(owned);
    for (const verb of VERBS) expect((await route(verb, owned, {})).status, verb).toBe(404);
    expect(await daysOf(owned)).toBe(before);
  });
});
