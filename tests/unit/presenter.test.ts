import { describe, expect, it } from "vitest";
import type { ItineraryDayRow, ItineraryRow } from "@/lib/db/schema";
import { describeStage, presentItinerary, presentSummary } from "@/lib/domain/presenter";
import { dayPlanSchema, type DayPlan, type Outline } from "@/lib/domain/trip";
import { demoDay, demoOutline } from "@/lib/llm/demo-model";
import type { TripData } from "@/lib/llm/prompts";
import { dayTaskFor } from "../helpers/demo-trip";

const ID = "6f1c2d4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f";
const createdAt = new Date("2027-03-01T09:00:00.000Z");
const updatedAt = new Date("2027-03-01T09:00:30.000Z");

const trip: TripData = {
  destination: "Porto, Portugal",
  durationDays: 5,
  startDate: "2027-04-10",
  interests: ["wine", "architecture"],
  pace: "balanced",
  budget: "moderate",
  travellers: 2,
};
const outline: Outline = demoOutline({ task: "outline", trip });
const plan = (day: number): DayPlan => demoDay(dayTaskFor(trip, outline, day));

function job(overrides: Partial<ItineraryRow> = {}): ItineraryRow {
  return {
    id: ID,
    status: "processing",
    destination: trip.destination,
    durationDays: trip.durationDays,
    startDate: trip.startDate,
    interests: trip.interests,
    pace: trip.pace,
    budget: trip.budget,
    travellers: trip.travellers,
    outline: null,
    itinerary: null,
    dayStates: {},
    progress: 0,
    error: null,
    model: "demo model",
    usage: null,
    idempotencyKey: null,
    clientKey: null,
    ownerKey: null,
    callbackUrl: null,
    requestHash: "hash",
    createdAt,
    updatedAt,
    completedAt: null,
    ...overrides,
  };
}

const dayRow = (day: number): ItineraryDayRow => ({
  itineraryId: ID,
  day,
  plan: plan(day),
  usage: { inputTokens: 100, outputTokens: 50, totalTokens: 150 },
  createdAt: updatedAt,
});

/** The fields existing clients of itinerary services read, with their types. */
function expectClientShape(resource: Record<string, unknown>) {
  expect(resource).toEqual(
    expect.objectContaining({
      status: expect.stringMatching(/^(processing|completed|failed|cancelled)$/),
      destination: expect.any(String),
      durationDays: expect.any(Number),
      createdAt: expect.any(String),
    }),
  );
  expect(new Date(resource.createdAt as string).toISOString()).toBe(resource.createdAt);
  for (const key of ["completedAt", "error"]) {
    expect(resource[key] === null || typeof resource[key] === "string", key).toBe(true);
  }
  const { itinerary } = resource;
  expect(itinerary === null || Array.isArray(itinerary)).toBe(true);
  for (const entry of (itinerary as unknown[] | null) ?? []) {
    expect(dayPlanSchema.safeParse(entry).success).toBe(true);
  }
  // The resource is what the JSON API sends: it must survive JSON unchanged.
  expect(JSON.parse(JSON.stringify(resource))).toEqual(resource);
}

describe("presentItinerary", () => {
  it("a new job is sketching its outline and has no itinerary yet", () => {
    const resource = presentItinerary(job(), []);
    expectClientShape({ ...resource });
    expect(resource).toMatchObject({
      status: "processing",
      stage: "Sketching the outline",
      outline: null,
      days: [],
      daysCompleted: 0,
      itinerary: null,
      error: null,
      completedAt: null,
    });
  });

  it("a job with its outline and 2 of 5 days shows the days so far", () => {
    const resource = presentItinerary(job({ outline, progress: 42 }), [dayRow(1), dayRow(2)]);
    expectClientShape({ ...resource });
    expect(resource.stage).toBe("2 of 5 days planned");
    expect(resource.daysCompleted).toBe(2);
    expect(resource.days.map((day) => day.day)).toEqual([1, 2]);
    expect(resource.days[0]).toMatchObject(plan(1));
    expect(resource.itinerary).toBeNull();
    expect(resource.outline?.title).toBe(outline.title);
    expect(resource.progress).toBe(42);
  });

  it("counts the days planned as the cards show them, whichever days landed first", () => {
    const resource = presentItinerary(job({ outline, durationDays: 4 }), [dayRow(1), dayRow(3)]);
    expect(resource.stage).toBe("2 of 4 days planned");
    expect(resource.days.map((day) => day.day)).toEqual([1, 3]);
    expect(describeStage(job({ outline, durationDays: 1 }), 0)).toBe("0 of 1 day planned");
  });

  it("says it is putting things together once every day has landed", () => {
    const rows = [1, 2, 3, 4, 5].map(dayRow);
    expect(presentItinerary(job({ outline }), rows).stage).toBe("Putting it all together");
  });

  it("a completed job returns the itinerary as its days, with completedAt", () => {
    const days = [1, 2, 3, 4, 5].map(plan);
    const completedAt = new Date("2027-03-01T09:01:00.000Z");
    const usage = { inputTokens: 900, outputTokens: 600, totalTokens: 1500 };
    const resource = presentItinerary(
      job({ status: "completed", outline, itinerary: days, progress: 100, completedAt, usage }),
      [],
    );
    expectClientShape({ ...resource });
    expect(resource.itinerary).toMatchObject(days);
    expect(resource.days).toMatchObject(days);
    expect(resource.daysCompleted).toBe(5);
    expect(resource.completedAt).toBe("2027-03-01T09:01:00.000Z");
    expect(resource.stage).toBe("Your itinerary is ready");
    expect(resource.usage).toEqual(usage);
    expect(resource.error).toBeNull();
  });

  it("a failed job carries its error and no itinerary, even with some days landed", () => {
    const resource = presentItinerary(
      job({ status: "failed", outline, error: "The language model is unavailable (HTTP 503).", completedAt: updatedAt }),
      [dayRow(1)],
    );
    expectClientShape({ ...resource });
    expect(resource.error).toBe("The language model is unavailable (HTTP 503).");
    expect(resource.itinerary).toBeNull();
    expect(resource.stage).toBe("Generation failed");
  });

  it("a cancelled job has no itinerary", () => {
    const resource = presentItinerary(job({ status: "cancelled", outline, completedAt: updatedAt }), [dayRow(1)]);
    expect(resource.itinerary).toBeNull();
    expect(resource.stage).toBe("Cancelled");
  });

  it("carries the request back and links to itself", () => {
    const resource = presentItinerary(job(), []);
    expect(resource.id).toBe(ID);
    expect(resource.startDate).toBe("2027-04-10");
    expect(resource.preferences).toEqual({
      interests: trip.interests,
      pace: trip.pace,
      budget: trip.budget,
      travellers: trip.travellers,
    });
    expect(resource.links).toEqual({ self: `/api/itineraries/${ID}`, page: `/itineraries/${ID}` });
    expect(resource.createdAt).toBe(createdAt.toISOString());
    expect(resource.updatedAt).toBe(updatedAt.toISOString());
    expect(resource.model).toBe("demo model");
  });
});

describe("presentSummary", () => {
  it("lists a job with its title once the outline exists", () => {
    expect(presentSummary(job())).toEqual({
      id: ID,
      status: "processing",
      destination: trip.destination,
      durationDays: 5,
      startDate: "2027-04-10",
      progress: 0,
      title: null,
      model: "demo model",
      createdAt: createdAt.toISOString(),
      completedAt: null,
      links: { self: `/api/itineraries/${ID}`, page: `/itineraries/${ID}` },
    });
    const completedAt = new Date("2027-03-01T09:02:00.000Z");
    const summary = presentSummary(job({ status: "completed", outline, progress: 100, completedAt }));
    expect(summary).toMatchObject({ title: outline.title, status: "completed", progress: 100 });
    expect(summary.completedAt).toBe(completedAt.toISOString());
    // A list entry stays small: no days, no outline body.
    expect(summary).not.toHaveProperty("itinerary");
    expect(summary).not.toHaveProperty("outline");
  });
});
