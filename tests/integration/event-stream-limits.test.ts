import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../helpers/database";

// Live streams are bounded: a client may hold SSE_MAX_PER_CLIENT open, a process
// SSE_MAX_STREAMS; past either, 429 in the error envelope with Retry-After. A slot is free
// again as soon as its stream ends: the job finished, or the client went away.

Object.assign(process.env, {
  JOB_RUNNER: "local",
  API_KEYS: "key-a,key-b,key-c",
  SSE_MAX_PER_CLIENT: "2",
  SSE_MAX_STREAMS: "3",
});
(await import("@/lib/env")).resetEnvCache();
const events = await import("@/app/api/itineraries/[id]/events/route");
const { endItinerary, insertItinerary } = await import("@/lib/db/queries/itineraries");
const { notifyItineraryChanged } = await import("@/lib/live/changes");

beforeAll(async () => {
  await createTestDatabase();
});

/** A job that stays processing until a test ends it (no runner works on it). */
const processingJob = async () =>
  (
    await insertItinerary({
      destination: "Ghent, Belgium",
      durationDays: 2,
      pace: "balanced",
      budget: "moderate",
      travellers: 1,
      model: "demo model",
      requestHash: "test",
    })
  ).id;

interface OpenStream {
  response: Response;
  /** The client goes away: its request is aborted, as when a browser tab closes. */
  disconnect: () => void;
}

const open: OpenStream[] = [];

async function stream(id: string, key: string): Promise<OpenStream> {
  const client = new AbortController();
  const request = new Request(`http://localhost/api/itineraries/${id}/events`, {
    headers: { authorization: `Bearer ${key}` },
    signal: client.signal,
  });
  const response = await events.GET(request, { params: Promise.resolve({ id }) });
  const opened = { response, disconnect: () => client.abort() };
  open.push(opened);
  return opened;
}

/** The stream was accepted and delivers the job: its first snapshot arrives. Returns its reader. */
async function expectSnapshot({ response }: OpenStream) {
  expect(response.status).toBe(200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("event: snapshot\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  expect(text).toContain("event: snapshot\n");
  return reader;
}

async function expectRefused({ response }: OpenStream, message: RegExp) {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("too_many_streams");
  expect(body.error.message).toMatch(message);
  expect(body.error.message).toMatch(/Poll GET \/api\/itineraries\/\{id\}/);
}

afterEach(() => {
  for (const stream of open.splice(0)) stream.disconnect();
});

describe("live streams per client", () => {
  it("a client gets SSE_MAX_PER_CLIENT streams, then 429 with Retry-After; other clients still get theirs", async () => {
    const id = await processingJob();
    await expectSnapshot(await stream(id, "key-a"));
    await expectSnapshot(await stream(id, "key-a"));
    await expectRefused(await stream(id, "key-a"), /already has 2 live streams open/);
    await expectSnapshot(await stream(id, "key-b"));
  });

  it("a stream the client leaves frees its slot at once", async () => {
    const id = await processingJob();
    const first = await stream(id, "key-a");
    await expectSnapshot(first);
    await expectSnapshot(await stream(id, "key-a"));
    await expectRefused(await stream(id, "key-a"), /already has 2/);

    first.disconnect();
    await expectSnapshot(await stream(id, "key-a"));
  });

  it("a stream whose body the client cancels frees its slot", async () => {
    const id = await processingJob();
    const first = await expectSnapshot(await stream(id, "key-a"));
    await expectSnapshot(await stream(id, "key-a"));
    await expectRefused(await stream(id, "key-a"), /already has 2/);

    await first.cancel();
    await expectSnapshot(await stream(id, "key-a"));
  });

  it("streams that end with their job free their slots", async () => {
    const finishing = await processingJob();
    const streams = [await stream(finishing, "key-a"), await stream(finishing, "key-a")];
    await expectRefused(await stream(finishing, "key-a"), /already has 2/);

    await endItinerary({ id: finishing, status: "cancelled", error: null });
    notifyItineraryChanged(finishing);
    // Each stream sends the cancelled job, then closes by itself.
    for (const { response } of streams) expect(await response.text()).toContain(`"status":"cancelled"`);

    const next = await processingJob();
    await expectSnapshot(await stream(next, "key-a"));
    await expectSnapshot(await stream(next, "key-a"));
  });
});

describe("live streams per process", () => {
  it("past SSE_MAX_STREAMS in all, every client gets 429 until a stream ends", async () => {
    const id = await processingJob();
    await expectSnapshot(await stream(id, "key-a"));
    const leaving = await stream(id, "key-a");
    await expectSnapshot(leaving);
    await expectSnapshot(await stream(id, "key-b"));
    // key-c has none open, but the process is full.
    await expectRefused(await stream(id, "key-c"), /The server has all its live streams open/);

    leaving.disconnect();
    await expectSnapshot(await stream(id, "key-c"));
  });

  it("a refused or unknown-job request holds no slot", async () => {
    const id = await processingJob();
    await expectSnapshot(await stream(id, "key-a"));
    await expectSnapshot(await stream(id, "key-a"));
    for (let i = 0; i < 3; i++) await expectRefused(await stream(id, "key-a"), /already has 2/);
    const missing = await stream("00000000-0000-4000-8000-000000000000", "key-b");
    expect(missing.response.status).toBe(404);
    // The process's third slot is still free.
    await expectSnapshot(await stream(id, "key-b"));
  });
});
