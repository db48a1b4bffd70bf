"use client";

import dynamic from "next/dynamic";
import type { ItineraryResource } from "@/lib/domain/resource";
import type { MapStop } from "./day-map";

type DayPlan = ItineraryResource["days"][number];

// Leaflet is loaded only when a day with a map is on the page, and only in the browser: it
// stays out of the first-load JavaScript of every page.
const DayMap = dynamic(() => import("./day-map"), { ssr: false });

/**
 * The map of a day: its located activities as numbered markers in visit order, joined by a
 * line. The frame is there from the first render, so the card does not change size when the
 * map arrives; the activity list beside it stays the way to read the day.
 */
export function DayMapSlot({ plan, tileUrl }: { plan: DayPlan; tileUrl: string }) {
  const stops: MapStop[] = plan.activities.flatMap((activity, index) =>
    activity.location ? [{ stop: index + 1, title: activity.title, ...activity.location }] : [],
  );
  return (
    <div
      role="region"
      aria-label={`Map of day ${plan.day}`}
      data-testid={`day-${plan.day}-map`}
      className="day-map no-print relative z-0 h-64 overflow-hidden rounded-lg border border-stone-200 bg-stone-100 md:h-full md:min-h-64 dark:border-stone-700 dark:bg-stone-800"
    >
      <DayMap day={plan.day} stops={stops} tileUrl={tileUrl} />
    </div>
  );
}
