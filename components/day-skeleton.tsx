"use client";

import type { Preview } from "@/lib/domain/preview";
import { formatLongDate } from "@/lib/itineraries/format";
import { DayPreviewActivities, previewActivityCount } from "./plan-preview";

const bar = "animate-pulse rounded bg-stone-200 dark:bg-stone-800";

/** A placeholder bar inside a box as tall as the line of text it stands for. */
function Line({ height, bar: barClass }: { height: string; bar: string }) {
  return (
    <div className={`flex items-center ${height}`}>
      <div className={barClass} />
    </div>
  );
}

/**
 * A day still being planned. It copies the card's structure (padding, header, one timeline
 * entry per expected activity, each line the height of the text it stands for, the map's
 * room when the trip is mapped) so the card that replaces it takes about the same room and
 * the page does not jump as days land. While the model writes the day, its activities show
 * as they come (`preview`), above placeholders for the ones still to come.
 */
export function DaySkeleton({
  day,
  theme,
  date,
  activities,
  withMap,
  preview,
}: {
  day: number;
  theme: string | null;
  date: string | null;
  activities: number;
  withMap: boolean;
  preview?: Preview;
}) {
  const shown = previewActivityCount(preview);
  const toCome = Math.max(0, activities - shown);
  return (
    <div
      data-testid={`day-${day}-pending`}
      aria-busy="true"
      className="day-card rounded-xl border border-dashed border-stone-300 p-5 dark:border-stone-700"
    >
      <div className="mb-4">
        <p className="text-sm font-medium text-stone-600 dark:text-stone-400">
          Day {day}
          {date ? ` · ${formatLongDate(date)}` : ""}
        </p>
        <p className="text-lg font-semibold text-stone-600 dark:text-stone-400">{theme ?? "Coming up…"}</p>
        <Line height="h-5" bar={`h-3 w-48 ${bar}`} />
      </div>
      <div className={withMap ? "grid gap-5 md:grid-cols-[minmax(0,1fr)_16rem]" : undefined}>
        <div className="space-y-4">
          {preview && shown > 0 ? <DayPreviewActivities preview={preview} /> : null}
          {toCome > 0 ? (
            <ol aria-hidden="true" className="ml-2.5 space-y-4 border-l border-dashed border-stone-300 pl-5 dark:border-stone-700">
              {Array.from({ length: toCome }, (_, index) => (
                <li key={index}>
                  {index > 0 || shown > 0 ? <Line height="h-5" bar={`h-3 w-36 ${bar}`} /> : null}
                  <Line height="h-5" bar={`h-3 w-32 ${bar}`} />
                  <Line height="h-6" bar={`h-4 w-1/2 ${bar}`} />
                  <Line height="h-6" bar={`h-4 w-5/6 ${bar}`} />
                  <Line height="mt-1 h-5" bar={`h-3 w-2/3 ${bar}`} />
                </li>
              ))}
            </ol>
          ) : null}
        </div>
        {withMap ? <div aria-hidden="true" className={`h-64 md:h-full md:min-h-64 ${bar}`} /> : null}
      </div>
      <p className="sr-only">Day {day} is still being planned{shown > 0 ? "; what is written so far is shown" : ""}.</p>
    </div>
  );
}

/** The outline's title and summary while the outline is being written. */
export function OutlineSkeleton() {
  return (
    <div aria-hidden="true" data-testid="outline-pending" className="space-y-2">
      <Line height="h-7" bar={`h-5 w-2/3 ${bar}`} />
      <div>
        <Line height="h-6" bar={`h-4 w-full ${bar}`} />
        <Line height="h-6" bar={`h-4 w-3/4 ${bar}`} />
      </div>
    </div>
  );
}
