import type { ItineraryDayRow, ItineraryRow } from "@/lib/db/schema";
import type { ItineraryResource, ItinerarySummary } from "./resource-schema";

// The public shape of a job: what the JSON API returns, what the status page renders and
// what live updates carry. A superset of the shape clients of such services already read
// (status, destination, durationDays, createdAt, completedAt, itinerary, error).
// The types are inferred from the zod schemas in resource-schema.ts, which the OpenAPI
// document renders too.

export type { ItineraryResource, ItinerarySummary };

const links = (id: string) => ({ self: `/api/itineraries/${id}`, page: `/itineraries/${id}` });

/** The current stage in words, for people. */
export function describeStage(job: ItineraryRow, daysCompleted: number): string {
  switch (job.status) {
    case "completed":
      return "Your itinerary is ready";
    case "failed":
      return "Generation failed";
    case "cancelled":
      return "Cancelled";
    case "processing":
      if (!job.outline) return "Sketching the outline";
      if (daysCompleted < job.durationDays) {
        return `Planning day ${Math.min(daysCompleted + 1, job.durationDays)} of ${job.durationDays}`;
      }
      return "Putting it all together";
  }
}

export function presentItinerary(job: ItineraryRow, dayRows: ItineraryDayRow[]): ItineraryResource {
  const days = job.itinerary ?? dayRows.map((row) => row.plan);
  return {
    id: job.id,
    status: job.status,
    destination: job.destination,
    durationDays: job.durationDays,
    startDate: job.startDate,
    preferences: {
      interests: job.interests,
      pace: job.pace,
      budget: job.budget,
      travellers: job.travellers,
    },
    progress: job.progress,
    stage: describeStage(job, days.length),
    outline: job.outline,
    days,
    daysCompleted: days.length,
    itinerary: job.status === "completed" ? days : null,
    error: job.error,
    model: job.model,
    usage: job.usage,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    completedAt: job.completedAt?.toISOString() ?? null,
    links: links(job.id),
  };
}

export function presentSummary(job: ItineraryRow): ItinerarySummary {
  return {
    id: job.id,
    status: job.status,
    destination: job.destination,
    durationDays: job.durationDays,
    startDate: job.startDate,
    progress: job.progress,
    title: job.outline?.title ?? null,
    model: job.model,
    createdAt: job.createdAt.toISOString(),
    completedAt: job.completedAt?.toISOString() ?? null,
    links: links(job.id),
  };
}
