"use client";

import type { ItineraryResource } from "@/lib/domain/resource";
import { formatMoney } from "@/lib/itineraries/format";
import { StatusBadge } from "./status-badge";

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

const dateOf = (iso: string) => new Date(`${iso}T00:00:00Z`);
const part = (date: Date, options: Intl.DateTimeFormatOptions) => date.toLocaleDateString("en", { ...options, timeZone: "UTC" });
/** "Fri 8 January". Built from single fields: whole-date formats differ in their spaces between Node and browsers. */
const shortDay = (date: Date) => `${part(date, { weekday: "short" })} ${date.getUTCDate()} ${part(date, { month: "long" })}`;

/** "Fri 8 January – Sat 9 January 2027": the trip's dates, compactly. */
function dateRange(startDate: string, days: number): string {
  const start = dateOf(startDate);
  const end = new Date(start.getTime() + (days - 1) * 86_400_000);
  const [startYear, endYear] = [start.getUTCFullYear(), end.getUTCFullYear()];
  if (days === 1) return `${shortDay(start)} ${startYear}`;
  return startYear === endYear
    ? `${shortDay(start)} – ${shortDay(end)} ${endYear}`
    : `${shortDay(start)} ${startYear} – ${shortDay(end)} ${endYear}`;
}

/**
 * The one header of a trip: where, the trip's title, when, who, how, the estimated total
 * and the summary, each said once.
 */
export function TripHeader({ itinerary, summaryPreview }: { itinerary: ItineraryResource; summaryPreview?: string | null }) {
  const { outline, preferences, estimatedTotal: total } = itinerary;
  const facts = [
    plural(itinerary.durationDays, "day"),
    itinerary.startDate ? dateRange(itinerary.startDate, itinerary.durationDays) : null,
    plural(preferences.travellers, "traveller"),
    `${preferences.pace} pace`,
    `${preferences.budget} budget`,
  ].filter(Boolean);
  return (
    <header className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-3xl font-bold tracking-tight">{itinerary.destination}</h1>
        <StatusBadge status={itinerary.status} />
      </div>
      {outline ? (
        <p data-testid="trip-title" className="text-xl font-semibold text-brand-700 dark:text-brand-100">
          {outline.title}
        </p>
      ) : null}
      <p data-testid="trip-facts" className="text-stone-600 dark:text-stone-400">
        {facts.join(" · ")}
      </p>
      {total ? (
        <p data-testid="trip-total" className="font-medium">
          {total.perPerson === 0
            ? "Estimated cost: free"
            : `Estimated cost: ${formatMoney({ amount: total.perPerson, currency: total.currency })} per person · ` +
              `${formatMoney({ amount: total.allTravellers, currency: total.currency })} for ${plural(preferences.travellers, "traveller")}`}
        </p>
      ) : null}
      {outline?.summary ? (
        <p className="max-w-prose text-stone-700 dark:text-stone-300">{outline.summary}</p>
      ) : summaryPreview ? (
        // Being written now: shown as it comes, replaced by the stored summary.
        <p data-testid="summary-preview" aria-busy="true" className="max-w-prose text-stone-600 dark:text-stone-400">
          {summaryPreview}
        </p>
      ) : null}
    </header>
  );
}
