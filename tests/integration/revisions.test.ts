import { APICallError } from "ai";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.JOB_RUNNER = "local";
  process.env.JOB_RETRY_BASE_MS = "5";
  process.env.JOB_MAX_ATTEMPTS = "3";
  process.env.LLM_CONCURRENCY = "20";
});

import { insertItinerary } from "@/lib/db/queries/itineraries";
import type { ItineraryResource } from "@/lib/domain/resource";
import { resetEnvCache } from "@/lib/env";
import { createGenerationRunner, revisionRunner } from "@/lib/jobs/local-functions";
import { demoAnswer, promptText } from "@/lib/llm/demo-model";
import { setModelForTests } from "@/lib/llm/model";
import { parsePromptTask, promptStepId } from "@/lib/llm/prompts";
import * as jobRoute from "@/app/api/itineraries/[id]/route";
import * as revisionsRoute from "@/app/api/itineraries/[id]/days/[day]/revisions/route";
import * as undoRoute from "@/app/api/itineraries/[id]/days/[day]/undo/route";
import * as activityRoute from "@/app/api/itineraries/[id]/days/[day]/activities/[index]/route";
import { createTestDatabase } from "../helpers/database";
import { jsonAnswer, streamingModel } from "../helpers/streaming-model";

// Changing a day of a finished trip through the API, on the local runner: revise it in
// words (one model call, the other days untouched), undo, remove a stop, and the refusals.

/** Model calls per step ("outline", "day-2", "revise-day-2", …) since the test began. */
const calls = new Map<string, number>();
/** What the model does for a revision before answering: nothing, throw, or wait. */
let onRevise: () => Promise<void> | void = () => {};

const model = streamingModel({
  doGenerate: async (options) => {
    const task = parsePromptTask(promptText(options));
    if (!task) throw new Error("no trip request in the prompt");
    calls.set(promptStepId(task), (calls.get(promptStepId(task)) ?? 0) + 1);
    if (task.task === "revise-day") await onRevise();
    const answer =
      task.task === "revise-day"
        ? // A revision the test can recognise: the day without its last stop, its first renamed.
          {
            ...task.current,
            activities: task.current.activities.slice(0, -1).map((activity, index) =>
              index === 0 ? { ...activity, title: `Slower: ${task.instruction}` } : activity,
            ),
          }
        : demoAnswer(task);
    return jsonAnswer(answer, { input: 100, output: 50 });
  },
});

async function completedTrip(durationDays = 3): Promise<string> {
  const job = await insertItinerary({
    status: "processing",
    destination: "Lisbon, Portugal",
    durationDays,
    startDate: null,
    interests: ["food"],
    pace: "balanced",
    budget: "moderate",
    travellers: 2,
    model: "mock",
    requestHash: `revisions-${Math.random()}`,
  });
  expect(await createGenerationRunner().start({ id: job.id })).toBe("completed");
  calls.clear();
  return job.id;
}

const params = <T extends Record<string, string>>(values: T) => ({ params: Promise.resolve(values) });

async function read(id: string): Promise<ItineraryResource> {
  const response = await jobRoute.GET(new Request(`http://localhost/api/itineraries/${id}`), params({ id }));
  expect(response.status).toBe(200);
  return (await response.json()) as ItineraryResource;
}

function revise(id: string, day: number | string, body: unknown, headers: Record<string, string> = {}) {
  return revisionsRoute.POST(
    new Request(`http://localhost/api/itineraries/${id}/days/${day}/revisions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
    params({ id, day: String(day) }),
  );
}

const undo = (id: string, day: number) =>
  undoRoute.POST(new Request(`http://localhost/api/itineraries/${id}/days/${day}/undo`, { method: "POST" }), params({ id, day: String(day) }));

const remove = (id: string, day: number, index: number) =>
  activityRoute.DELETE(
    new Request(`http://localhost/api/itineraries/${id}/days/${day}/activities/${index}`, { method: "DELETE" }),
    params({ id, day: String(day), index: String(index) }),
  );

const dayOf = (job: ItineraryResource, day: number) => job.days.find((entry) => entry.day === day)!;

/** Waits until day `day` of job `id` is no longer revising. */
async function settled(id: string, day: number): Promise<ItineraryResource> {
  await vi.waitFor(async () => expect(dayOf(await read(id), day).state).not.toBe("revising"), { timeout: 10_000, interval: 20 });
  await revisionRunner().drain();
  return read(id);
}

beforeAll(async () => {
  resetEnvCache();
  await createTestDatabase();
  setModelForTests({ model, label: "mock", kind: "demo" });
});

afterEach(() => {
  onRevise = () => {};
});

describe("changing a day of a finished trip", () => {
  it("revises day 2 with one model call; days 1 and 3 stay as they were, byte for byte; undo brings day 2 back", async () => {
    const id = await completedTrip(3);
    const before = await read(id);
    expect(before.days.map((day) => [day.revision, day.state])).toEqual([
      [1, "ready"],
      [1, "ready"],
      [1, "ready"],
    ]);

    const response = await revise(id, 2, { instruction: "make it more relaxed" });
    expect(response.status).toBe(202);
    expect(response.headers.get("location")).toBe(`http://localhost/api/itineraries/${id}`);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    const accepted = (await response.json()) as ItineraryResource;
    expect(accepted.status).toBe("completed");
    expect(dayOf(accepted, 2).state).toBe("revising");

    const after = await settled(id, 2);
    expect(after.status).toBe("completed");
    expect((await jobRoute.GET(new Request(`http://localhost/api/itineraries/${id}`), params({ id }))).headers.get("retry-after")).toBeNull();
    expect(dayOf(after, 2)).toMatchObject({ revision: 2, state: "ready", error: null });
    expect(dayOf(after, 2).activities[0]?.title).toBe("Slower: make it more relaxed");
    expect(dayOf(after, 2).activities).toHaveLength(dayOf(before, 2).activities.length - 1);
    expect(JSON.stringify(dayOf(after, 1))).toBe(JSON.stringify(dayOf(before, 1)));
    expect(JSON.stringify(dayOf(after, 3))).toBe(JSON.stringify(dayOf(before, 3)));
    expect(Object.fromEntries(calls)).toEqual({ "revise-day-2": 1 });

    const undone = await undo(id, 2);
    expect(undone.status).toBe(200);
    const back = (await undone.json()) as ItineraryResource;
    expect(dayOf(back, 2)).toEqual(dayOf(before, 2));
    expect((await undo(id, 2)).status).toBe(409); // nothing earlier than the generated plan
  });

  it("removes a stop as a revision (travel and totals mended) and undo brings it back", async () => {
    const id = await completedTrip(2);
    const before = await read(id);
    const original = dayOf(before, 1);
    const response = await remove(id, 1, 1);
    expect(response.status).toBe(200);
    const removed = dayOf((await response.json()) as ItineraryResource, 1);
    expect(removed.revision).toBe(2);
    expect(removed.activities.map((activity) => activity.title)).toEqual(
      original.activities.filter((_, index) => index !== 1).map((activity) => activity.title),
    );
    const lost = original.activities[1]!.cost?.amount ?? 0;
    expect(removed.estimatedCost?.amount).toBeCloseTo((original.estimatedCost?.amount ?? 0) - lost, 2);
    expect(removed.activities[0]?.travelFromPrevious).toBeNull();
    expect(calls.size).toBe(0); // no model call

    const back = dayOf((await (await undo(id, 1)).json()) as ItineraryResource, 1);
    expect(back).toEqual(original);
    expect((await remove(id, 1, 99)).status).toBe(404);
  });

  it("honours Idempotency-Key: a repeat answers the same revision and asks the model once", async () => {
    const id = await completedTrip(2);
    const first = await revise(id, 1, { instruction: "more food" }, { "idempotency-key": "change-1" });
    const second = await revise(id, 1, { instruction: "more food" }, { "idempotency-key": "change-1" });
    expect([first.status, second.status]).toEqual([202, 202]);
    await settled(id, 1);
    const third = await revise(id, 1, { instruction: "more food" }, { "idempotency-key": "change-1" });
    expect(third.status).toBe(202);
    await settled(id, 1);
    expect(dayOf(await read(id), 1).revision).toBe(2);
    expect(calls.get("revise-day-1")).toBe(1);
  });

  it("refuses what cannot be done: 409 while revising or not completed, 404 for a day outside the trip, 422 for a bad instruction", async () => {
    const id = await completedTrip(2);
    let release!: () => void;
    onRevise = () => new Promise<void>((resolve) => (release = resolve));
    expect((await revise(id, 1, { instruction: "no museums" })).status).toBe(202);
    await vi.waitFor(() => expect(calls.get("revise-day-1")).toBe(1));
    // A poller is told to come back soon while the day is being rewritten (and not after: see above).
    expect((await jobRoute.GET(new Request(`http://localhost/api/itineraries/${id}`), params({ id }))).headers.get("retry-after")).not.toBeNull();
    expect((await revise(id, 1, { instruction: "again" })).status).toBe(409);
    expect((await undo(id, 1)).status).toBe(409);
    expect((await remove(id, 1, 0)).status).toBe(409);
    release();
    await settled(id, 1);

    expect((await revise(id, 3, { instruction: "x" })).status).toBe(404);
    expect((await revise(id, 0, { instruction: "x" })).status).toBe(404);
    expect((await revise(id, "two", { instruction: "x" })).status).toBe(404);
    expect((await revise(id, 1, { instruction: "" })).status).toBe(422);
    expect((await revise(id, 1, { instruction: "a".repeat(501) })).status).toBe(422);
    expect((await revise(id, 1, { instruction: "bell\u0007" })).status).toBe(422);
    expect((await revise(id, 1, {})).status).toBe(422);

    const processing = await insertItinerary({
      status: "processing",
      destination: "Porto",
      durationDays: 1,
      startDate: null,
      interests: [],
      pace: "balanced",
      budget: "moderate",
      travellers: 1,
      model: "mock",
      requestHash: `processing-${Math.random()}`,
    });
    const refused = await revise(processing.id, 1, { instruction: "x" });
    expect(refused.status).toBe(409);
  });

  it("a revision that keeps failing leaves the day as it was and says why", async () => {
    const id = await completedTrip(2);
    const before = await read(id);
    onRevise = () => {
      throw new APICallError({ message: "down", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });
    };
    expect((await revise(id, 2, { instruction: "swap the museum for a market" })).status).toBe(202);
    const after = await settled(id, 2);
    expect(dayOf(after, 2).state).toBe("failed");
    expect(dayOf(after, 2).error).toMatch(/unavailable \(HTTP 503\)/);
    expect(dayOf(after, 2).revision).toBe(1);
    expect(dayOf(after, 2).activities).toEqual(dayOf(before, 2).activities);
    expect(calls.get("revise-day-2")).toBe(3);

    // The next revision may go ahead, and lands as revision 3 (2 was spent on the failure).
    onRevise = () => {};
    expect((await revise(id, 2, { instruction: "try again" })).status).toBe(202);
    expect(dayOf(await settled(id, 2), 2)).toMatchObject({ revision: 3, state: "ready", error: null });
    const undone = dayOf((await (await undo(id, 2)).json()) as ItineraryResource, 2);
    expect(undone.revision).toBe(1);
    expect(undone.activities).toEqual(dayOf(before, 2).activities);
  });
});
