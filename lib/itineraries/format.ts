import type { ItineraryResource } from "@/lib/domain/resource";
import { formatMoney, formatPerPerson } from "@/lib/domain/money-format";

// The formatters the trip page and the exports share, so a cost, a date or a hop reads the
// same everywhere. Runs in the browser: types only from the domain, save the money
// formatters, which import nothing.

type Activity = ItineraryResource["days"][number]["activities"][number];

export { formatMoney, formatPerPerson };

/**
 * "Friday 2 April 2027" for an ISO date. Built from single fields: whole-date formats differ
 * in their spaces between Node and browsers, and the page renders on both.
 */
export function formatLongDate(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  const field = (options: Intl.DateTimeFormatOptions) => date.toLocaleDateString("en", { ...options, timeZone: "UTC" });
  return `${field({ weekday: "long" })} ${date.getUTCDate()} ${field({ month: "long" })} ${date.getUTCFullYear()}`;
}

const TRAVEL_WORDS: Record<NonNullable<Activity["travelFromPrevious"]>["mode"], string> = {
  walk: "walk",
  transit: "by public transport",
  taxi: "by taxi",
  drive: "drive",
  bike: "by bike",
  ferry: "by ferry",
};

/** "12 min walk", "1 h 5 min by ferry". */
export function formatTravel({ mode, minutes }: NonNullable<Activity["travelFromPrevious"]>): string {
  const hours = Math.floor(minutes / 60);
  const duration = hours > 0 ? `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ""}` : `${minutes} min`;
  return `${duration} ${TRAVEL_WORDS[mode]}`;
}

