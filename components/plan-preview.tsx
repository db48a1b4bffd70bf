"use client";

import type { Preview } from "@/lib/domain/preview";

// What the model has written so far, shown while it writes: the trip's title and summary,
// day themes, and each activity's time, title and description. A preview is partial and
// unchecked, so only text that is there is shown, as text; the checked plan replaces it.

type Value = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() ? value : null);
const records = (value: unknown): Value[] =>
  Array.isArray(value) ? value.filter((item): item is Value => typeof item === "object" && item !== null) : [];

/** A day's theme as the outline or the day being written has it, if either has got that far. */
export function previewTheme(outline: Preview | undefined, dayPreview: Preview | undefined, day: number): string | null {
  const entry = records(outline?.value?.days).find((candidate) => candidate.day === day);
  return text(entry?.theme) ?? text(dayPreview?.value?.theme);
}

/** The summary as far as the outline's details have got. */
export const previewSummary = (details: Preview | undefined): string | null => text(details?.value?.summary);

/** The trip's title while the outline is written. */
export function OutlinePreview({ preview }: { preview: Preview }) {
  const title = text(preview.value?.title);
  return (
    <div data-testid="outline-preview" aria-busy="true" className="space-y-2">
      <p className="text-xl font-semibold text-brand-700/70 dark:text-brand-100/70">{title ?? "Writing the outline…"}</p>
    </div>
  );
}

const writtenActivities = (preview: Preview | undefined) =>
  records(preview?.value?.activities).filter((activity) => text(activity.title));

/** How many of a day's activities the model has written (at least their titles). */
export const previewActivityCount = (preview: Preview | undefined): number => writtenActivities(preview).length;

/** The activities of a day the model is writing now, as far as each has got. */
export function DayPreviewActivities({ preview }: { preview: Preview }) {
  const activities = writtenActivities(preview);
  if (activities.length === 0) return null;
  return (
    <ol data-testid="day-preview" className="ml-2.5 space-y-4 border-l border-dashed border-stone-300 pl-5 dark:border-stone-700">
      {activities.map((activity, index) => (
        <li key={index} data-testid="preview-activity">
          <p className="text-sm text-stone-600 dark:text-stone-400">{text(activity.startTime) ?? "\u00a0"}</p>
          <p className="font-semibold text-stone-700 dark:text-stone-300">{text(activity.title)}</p>
          {text(activity.description) ? <p className="text-stone-600 dark:text-stone-400">{text(activity.description)}</p> : null}
        </li>
      ))}
    </ol>
  );
}
