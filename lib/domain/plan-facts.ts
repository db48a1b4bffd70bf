import type { Activity, Coordinates, DayPlan, Money } from "./plan";
import { minutesOf } from "./plan";

// What follows from the model's plan, computed by us rather than asked of the model: when an
// activity ends, a maps link for it, the date of each day, and the costs added up.

/** HH:MM of `start` + `minutes` (the timeline check keeps it before midnight). */
export function endTime(start: string, minutes: number): string {
  const end = Math.min(minutesOf(start) + minutes, 24 * 60 - 1);
  return `${String(Math.floor(end / 60)).padStart(2, "0")}:${String(end % 60).padStart(2, "0")}`;
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
