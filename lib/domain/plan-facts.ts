import { formatPerPerson } from "./money-format";
import type { Activity, Coordinates, DayPlan, Money, StoredActivity, TimeOfDay } from "./plan";
import { minutesOf } from "./plan";

// What follows from the model's plan, computed by us rather than asked of the model: when an
// activity ends, its time of day and cost in words, a maps link for it, the date of each
// day, and the costs added up.

/** HH:MM of `start` + `minutes` (the timeline check keeps it before midnight). */
export function endTime(start: string, minutes: number): string {
  const end = Math.min(minutesOf(start) + minutes, 24 * 60 - 1);
  return `${String(Math.floor(end / 60)).padStart(2, "0")}:${String(end % 60).padStart(2, "0")}`;
}

/**
 * The part of the day an activity starts in: morning before 12:00, afternoon from 12:00 to
 * 16:59, evening from 17:00 (the boundaries the demo model always used). The timeline keeps
 * every activity within its day, so a start before dawn is an early morning.
 */
export function timeOfDay(start: string): TimeOfDay {
  const minutes = minutesOf(start);
  return minutes < 12 * 60 ? "morning" : minutes < 17 * 60 ? "afternoon" : "evening";
}

/**
 * An activity's cost per person in words: "€15 per person", "¥1,500 per person", "Free".
 * Computed from the numeric cost; a plan stored before costs were numbers keeps the text
 * the model wrote then.
 */
export function costInWords(activity: Pick<StoredActivity, "estimatedCost"> & { cost?: Money | null }): string {
  if (activity.cost) return formatPerPerson(activity.cost);
  return activity.estimatedCost ?? "";
}

/**
 * A Google Maps search link (no key needed; it opens the Maps app on phones): the exact
 * point when the coordinates are known, the place and destination by name otherwise.
 */
export function mapsUrl(place: string, destination: string, location: Coordinates | null): string {
  const query = location ? `${location.latitude},${location.longitude}` : `${place}, ${destination}`;
  return `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(query)}`;
}

/** The ISO date of day `day` of a trip starting on `startDate`, or null without a start date. */
export function dayDate(startDate: string | null, day: number): string | null {
  if (!startDate) return null;
  const date = new Date(`${startDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + day - 1);
  return date.toISOString().slice(0, 10);
}

/** The weekday of an ISO date, in English ("Monday"). */
export function weekdayOf(isoDate: string): string {
  return new Date(`${isoDate}T00:00:00Z`).toLocaleDateString("en", { weekday: "long", timeZone: "UTC" });
}

const cents = (amount: number) => Math.round(amount * 100);

/** The sum of costs in `currency` (null when nothing is priced in it). */
export function totalCost(costs: ReadonlyArray<Money | null | undefined>, currency: string | null): Money | null {
  if (!currency) return null;
  const priced = costs.filter((cost): cost is Money => cost?.currency === currency);
  if (priced.length === 0) return null;
  return { amount: priced.reduce((sum, cost) => sum + cents(cost.amount), 0) / 100, currency };
}

/** A day's cost per person. */
export function dayCost(day: Pick<DayPlan, "activities">, currency: string | null): Money | null {
  return totalCost(day.activities.map((activity: Partial<Pick<Activity, "cost">>) => activity.cost), currency);
}
