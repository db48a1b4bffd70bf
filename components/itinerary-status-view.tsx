"use client";

import type { ItineraryResource } from "@/lib/domain/resource";
import { ACTIVITIES_PER_DAY } from "@/lib/domain/constants";
import { DayCard, DaySkeleton, OutlineSkeleton } from "./day-card";
import { ItineraryActions } from "./itinerary-actions";
import { StatusBadge } from "./status-badge";
import { useItineraryStatus } from "./use-itinerary-status";

const DEMO_MODEL = "demo model";

function formatDate(iso: string) {
  return new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** `canChange`: the viewer owns the trip (or it is ownerless on an open server), so may cancel or retry it. */
export function ItineraryStatusView({ initial, canChange }: { initial: ItineraryResource; canChange: boolean }) {
  const { itinerary, connection } = useItineraryStatus(initial.id, initial);
  const { outline, days, status } = itinerary;
  const landed = new Map(days.map((plan) => [plan.day, plan]));
  const dayNumbers = Array.from({ length: itinerary.durationDays }, (_, index) => index + 1);

  return (
    <div className="space-y-8 wrap-anywhere" data-status={status}>
      <header className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-3xl font-bold tracking-tight">{itinerary.destination}</h1>
          <StatusBadge status={status} />
        </div>
        <p className="text-stone-600 dark:text-stone-400">
          {itinerary.durationDays} {itinerary.durationDays === 1 ? "day" : "days"}
          {itinerary.startDate ? ` from ${formatDate(itinerary.startDate)}` : ""} · {itinerary.preferences.pace} pace ·{" "}
          {itinerary.preferences.budget} budget · {itinerary.preferences.travellers}{" "}
          {itinerary.preferences.travellers === 1 ? "traveller" : "travellers"}
        </p>
      </header>

      <ItineraryActions itinerary={itinerary} canChange={canChange} />

      {itinerary.model === DEMO_MODEL ? (
        <aside
          data-testid="demo-note"
          className="rounded-lg border border-sky-300 bg-sky-50 px-4 py-3 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100"
        >
          Written by the offline <strong>demo model</strong>: the itinerary is illustrative, not researched. Set{" "}
          <code>OPENAI_API_KEY</code> (or <code>OPENAI_BASE_URL</code> for a compatible server) to use a real model.
        </aside>
      ) : null}

      <section aria-label="Progress" className="space-y-2">
        <div className="flex items-center justify-between text-sm">
          <p aria-live="polite" data-testid="stage" className="font-medium">
            {itinerary.stage}
          </p>
          <p className="text-stone-600 dark:text-stone-400">
            {itinerary.daysCompleted} of {itinerary.durationDays} days
            {connection === "reconnecting" ? " · reconnecting…" : ""}
          </p>
        </div>
        <div
          role="progressbar"
          aria-label="Itinerary progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={itinerary.progress}
          className="h-2 overflow-hidden rounded-full bg-stone-200 dark:bg-stone-800"
        >
          <div
            className="h-full rounded-full bg-brand-600 transition-[width] duration-500"
            style={{ width: `${itinerary.progress}%` }}
          />
        </div>
      </section>

      {status === "failed" ? (
        <div role="alert" data-testid="job-error" className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
          <p className="font-semibold">We could not finish this itinerary.</p>
          <p>{itinerary.error}</p>
          <p className="mt-1 text-sm">Days already planned are kept: choose “Try again” to finish the rest.</p>
        </div>
      ) : null}
      {status === "cancelled" ? (
        <p className="rounded-lg border border-stone-300 px-4 py-3">
          This itinerary was cancelled. Choose “Try again” to finish it.
        </p>
      ) : null}

      {outline ? (
        <section aria-labelledby="trip-title" className="space-y-2">
          <h2 id="trip-title" className="text-2xl font-semibold" data-testid="trip-title">
            {outline.title}
          </h2>
          <p className="text-stone-700 dark:text-stone-300">{outline.summary}</p>
        </section>
      ) : status === "processing" ? (
        <OutlineSkeleton />
      ) : null}

      <section aria-label="Days" className="grid gap-4">
        {dayNumbers.map((day) => {
          const plan = landed.get(day);
          if (plan) return <DayCard key={day} plan={plan} startDate={itinerary.startDate} />;
          if (status !== "processing") return null;
          const theme = outline?.days.find((entry) => entry.day === day)?.theme ?? null;
          return (
            <DaySkeleton
              key={day}
              day={day}
              theme={theme}
              startDate={itinerary.startDate}
              activities={ACTIVITIES_PER_DAY[itinerary.preferences.pace].min}
            />
          );
        })}
      </section>

      {outline && status === "completed" ? (
        <section aria-labelledby="tips-title" className="space-y-2">
          <h2 id="tips-title" className="text-xl font-semibold">
            Tips
          </h2>
          <ul className="list-disc space-y-1 pl-6">
            {outline.tips.map((tip) => (
              <li key={tip}>{tip}</li>
            ))}
          </ul>
        </section>
      ) : null}

      <p className="text-xs text-stone-500">
        Model: {itinerary.model}
        {itinerary.usage ? ` · ${itinerary.usage.totalTokens.toLocaleString("en")} tokens` : ""}
      </p>
    </div>
  );
}
