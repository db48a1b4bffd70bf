"use client";

import type { Preview } from "@/lib/domain/preview";
import type { ItineraryResource } from "@/lib/domain/resource";
import { formatLongDate, formatPerPerson, formatTravel } from "@/lib/itineraries/format";
import dynamic from "next/dynamic";
import {
  dayHeadingId,
  DayRevisionNotice,
  RemoveStopButton,
  useDayChange,
  type DayChange,
  type DayChanges,
} from "./change-day";
import { DayMapSlot } from "./day-map-slot";

// Server-rendered with the card (its forms work without JavaScript); its code loads only
// where a day can be changed.
const DayChangeControls = dynamic(() => import("./day-change-controls"));
import { DayPreviewActivities, previewActivityCount } from "./plan-preview";

type DayPlan = ItineraryResource["days"][number];
type Activity = DayPlan["activities"][number];

/** The id of an activity's entry in the list, which its marker on the map opens. */
export const stopId = (day: number, stop: number) => `day-${day}-stop-${stop}`;

/** Does the day have any activity with a known location (and so a map)? */
export const hasLocatedActivity = (plan: DayPlan) => plan.activities.some((activity) => activity.location !== null);

function ActivityItem({ day, stop, activity, remove }: { day: number; stop: number; activity: Activity; remove: DayChange | null }) {
  return (
    <li id={stopId(day, stop)} tabIndex={-1} className="relative scroll-mt-4 rounded-md focus:bg-brand-50 dark:focus:bg-stone-800">
      {remove ? (
        <div className="float-right ml-2">
          <RemoveStopButton control={remove} day={day} index={stop - 1} title={activity.title} />
        </div>
      ) : null}
      <span
        aria-hidden="true"
        className="absolute -left-[29px] top-0.5 flex h-5 w-5 items-center justify-center rounded-full bg-brand-600 text-[11px] font-semibold text-white"
      >
        {stop}
      </span>
      {activity.travelFromPrevious ? (
        <p className="text-sm text-stone-600 dark:text-stone-400" data-testid="travel">
          {formatTravel(activity.travelFromPrevious)} from the previous stop
        </p>
      ) : null}
      <p className="text-sm text-stone-600 dark:text-stone-400">
        <span className="sr-only">Stop {stop}: </span>
        <time>{activity.startTime}</time>–<time>{activity.endTime}</time> · {activity.timeOfDay}
      </p>
      <p className="font-medium">{activity.title}</p>
      <p className="text-stone-700 dark:text-stone-300">{activity.description}</p>
      <p className="mt-1 text-sm text-stone-600 dark:text-stone-400">
        <span className="capitalize">{activity.category}</span> · {activity.place} ·{" "}
        <a
          href={activity.mapsUrl}
          target="_blank"
          rel="noopener noreferrer"
          className="font-medium text-brand-700 underline dark:text-brand-100"
        >
          Open in Maps<span className="sr-only"> for {activity.place} (opens in a new tab)</span>
        </a>{" "}
        · <span data-testid="cost">{activity.estimatedCost}</span>
      </p>
    </li>
  );
}

/**
 * A planned day: its date, area and total, the activities in visit order, and their map.
 * With `changes` (its owner, on a finished trip) it can be changed, undone and have stops
 * removed; while it is rewritten, what the model has written so far (`preview`) shows in
 * place of its activities.
 */
export function DayCard({
  plan,
  mapTileUrl,
  changes = null,
  preview,
}: {
  plan: DayPlan;
  mapTileUrl: string;
  changes?: DayChanges | null;
  preview?: Preview;
}) {
  const located = hasLocatedActivity(plan);
  const control = useDayChange(plan, changes);
  const revising = plan.state === "revising";
  const rewritten = revising && preview && previewActivityCount(preview) > 0 ? preview : null;
  const remove = control.enabled && plan.activities.length > 1 ? control : null;
  return (
    <article
      id={`day-${plan.day}`}
      data-testid={`day-${plan.day}`}
      data-state={plan.state}
      data-revision={plan.revision}
      aria-busy={revising || undefined}
      aria-labelledby={dayHeadingId(plan.day)}
      className="day-card rounded-xl border border-stone-200 bg-white p-5 shadow-sm dark:border-stone-800 dark:bg-stone-900"
    >
      <header className="mb-4">
        <p className="text-sm font-medium text-brand-700 dark:text-brand-100">
          Day {plan.day}
          {plan.date ? (
            <>
              {" · "}
              <time dateTime={plan.date}>{formatLongDate(plan.date)}</time>
            </>
          ) : null}
          {plan.revision > 1 ? (
            <span data-testid={`day-${plan.day}-revision`} className="no-print ml-2 rounded-full bg-brand-50 px-2 py-0.5 text-xs font-semibold text-brand-900 dark:bg-stone-800 dark:text-brand-100">
              Changed · version {plan.revision}
            </span>
          ) : null}
        </p>
        <h3 id={dayHeadingId(plan.day)} tabIndex={-1} className="text-lg font-semibold focus:outline-none">
          {plan.theme}
        </h3>
        <p className="text-sm text-stone-600 dark:text-stone-400" data-testid="day-facts">
          {[plan.area, plan.estimatedCost ? `Day total: ${formatPerPerson(plan.estimatedCost)}` : null].filter(Boolean).join(" · ")}
        </p>
      </header>
      <DayRevisionNotice plan={plan} />
      <div className={located ? "grid gap-5 md:grid-cols-[minmax(0,1fr)_16rem]" : undefined}>
        {rewritten ? (
          <DayPreviewActivities preview={rewritten} />
        ) : (
          <ol className="ml-2.5 space-y-4 border-l border-stone-200 pl-5 dark:border-stone-700">
            {plan.activities.map((activity, index) => (
              <ActivityItem key={`${activity.startTime}-${index}`} day={plan.day} stop={index + 1} activity={activity} remove={remove} />
            ))}
          </ol>
        )}
        {located ? <DayMapSlot plan={plan} tileUrl={mapTileUrl} /> : null}
      </div>
      <DayChangeControls plan={plan} control={control} />
    </article>
  );
}
