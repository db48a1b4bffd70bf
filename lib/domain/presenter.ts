import type { ItineraryResource, ItinerarySummary } from "./resource";
import { costInWords, dayCost, dayDate, endTime, mapsUrl, timeOfDay, totalCost } from "./plan-facts";
import { dayStateOf, type DayRevisionStates } from "./revision";
import type { Budget, ItineraryStatus, Pace, StoredDayPlan, StoredOutline, TokenUsage } from "./trip";

// A stored job, presented: what the JSON API returns, what the status page renders, what
// live updates and webhooks carry. A superset of the shape clients of such services already
// read (status, destination, durationDays, createdAt, completedAt, itinerary, error).

export type { ItineraryResource, ItinerarySummary };

/** What the presenter reads of a stored job (a row of `itineraries` is one). */
export interface StoredItinerary {
  id: string;
  status: ItineraryStatus;
  destination: string;
  durationDays: number;
  startDate: string | null;
  interests: string[];
  pace: Pace;
  budget: Budget;
  travellers: number;
  progress: number;
  outline: StoredOutline | null;
  /** The finished days, on the row once the job completed. */
  itinerary: StoredDayPlan[] | null;
  /** Where each changed day stands; absent or empty for a trip never changed. */
  dayStates?: DayRevisionStates | null;
  error: string | null;
  model: string;
  usage: TokenUsage | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

/** What the presenter reads of a stored day (a row of `itinerary_days` is one). */
export interface StoredDay {
  plan: StoredDayPlan;
}

const links = (id: string) => ({ self: `/api/itineraries/${id}`, page: `/itineraries/${id}` });

/**
 * The current stage in words, for people. Days are planned in parallel and land in any
 * order, so a running job counts the days planned (as the cards show them), never "day N".
 */
export function describeStage(job: StoredItinerary, daysCompleted: number): string {
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
        return `${daysCompleted} of ${job.durationDays} ${job.durationDays === 1 ? "day" : "days"} planned`;
      }
      return "Putting it all together";
  }
}

/**
 * The job resource. `dayRows` are the days landed so far; a completed job carries its days
 * on the row, and those win.
 */
export function presentItinerary(job: StoredItinerary, dayRows: readonly StoredDay[]): ItineraryResource {
  const currency = job.outline?.currency ?? null;
  const days = (job.itinerary ?? dayRows.map((row) => row.plan)).map((plan) => presentDay(plan, job, currency));
  const perPerson = totalCost(days.map((day) => day.estimatedCost), currency);
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
    outline: presentOutline(job.outline),
    currency,
    timeZone: job.outline?.timeZone ?? null,
    center: job.outline?.center ?? null,
    estimatedTotal:
      perPerson && days.length > 0
        ? { perPerson: perPerson.amount, allTravellers: Math.round(perPerson.amount * job.travellers * 100) / 100, currency: perPerson.currency }
        : null,
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

type PresentedDay = ItineraryResource["days"][number];

// Plans stored before a field existed lack it: present it as null (or empty).
function presentOutline(outline: StoredOutline | null): ItineraryResource["outline"] {
  if (!outline) return null;
  return {
    ...outline,
    summary: outline.summary ?? null,
    tips: outline.tips ?? [],
    currency: outline.currency ?? null,
    timeZone: outline.timeZone ?? null,
    center: outline.center ?? null,
    days: outline.days.map((entry) => ({ ...entry, area: entry.area ?? null, highlights: entry.highlights ?? [] })),
  };
}

function presentDay(plan: StoredDayPlan, job: StoredItinerary, currency: string | null): PresentedDay {
  const { revision, state, error } = dayStateOf(job.dayStates, plan.day);
  return {
    day: plan.day,
    revision,
    state,
    error,
    theme: plan.theme,
    date: dayDate(job.startDate, plan.day),
    area: job.outline?.days.find((entry) => entry.day === plan.day)?.area ?? null,
    estimatedCost: dayCost(plan, currency),
    // Times of day and costs in words are computed, also for plans stored when the model
    // wrote them (whatever it wrote then): the same rules for every plan, old or new.
    activities: plan.activities.map((activity, index) => ({
      ...activity,
      timeOfDay: timeOfDay(activity.startTime),
      estimatedCost: costInWords(activity),
      location: activity.location ?? null,
      cost: activity.cost ?? null,
      travelFromPrevious: index === 0 ? null : (activity.travelFromPrevious ?? null),
      endTime: endTime(activity.startTime, activity.durationMinutes),
      mapsUrl: mapsUrl(activity.place, job.destination, activity.location ?? null),
    })),
  };
}

export function presentSummary(job: StoredItinerary): ItinerarySummary {
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
