"use client";

import type { ItineraryResource } from "@/lib/domain/resource";
import { ACTIVITIES_PER_DAY } from "@/lib/domain/constants";
import { DayChangeAnnouncer } from "./change-day";
import { DayCard } from "./day-card";
import { DaySkeleton, OutlineSkeleton } from "./day-skeleton";
import { OutlinePreview, previewSummary, previewTheme } from "./plan-preview";
import { ItineraryActions } from "./itinerary-actions";
import { CancelledNotice, DeletedNotice, DemoNote, FailedNotice } from "./job-notices";
import { TripHeader } from "./trip-header";
import { isWriting, useItineraryStatus } from "./use-itinerary-status";
import dynamic from "next/dynamic";

// Loaded only on a server whose jobs run on Inngest (see realtime-bridge.tsx).
const RealtimeBridge = dynamic(() => import("./realtime-bridge"), { ssr: false });

const DEMO_MODEL = "demo model";

/** While the job runs: the stage in the cards' words, and a progress bar. */
function Progress({ itinerary, reconnecting }: { itinerary: ItineraryResource; reconnecting: boolean }) {
  return (
    <section aria-label="Progress" className="no-print space-y-2">
      <p data-testid="stage" className="text-sm font-medium">
        {itinerary.stage}
        {reconnecting ? <span className="font-normal text-stone-600 dark:text-stone-400"> · reconnecting…</span> : null}
      </p>
      <div
        role="progressbar"
        aria-label="Itinerary progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={itinerary.progress}
        className="h-2 overflow-hidden rounded-full bg-stone-200 dark:bg-stone-800"
      >
        <div className="h-full rounded-full bg-brand-600 transition-[width] duration-500" style={{ width: `${itinerary.progress}%` }} />
      </div>
    </section>
  );
}

/** Who planned the trip and what it took: for the curious, out of the way, never printed. */
function AboutPlan({ itinerary }: { itinerary: ItineraryResource }) {
  return (
    <details data-testid="about-plan" className="no-print text-sm text-stone-600 dark:text-stone-400">
      <summary className="cursor-pointer">About this plan</summary>
      <p className="mt-1">
        Planned by {itinerary.model === DEMO_MODEL ? "the offline demo model" : itinerary.model}
        {itinerary.usage ? `, using ${itinerary.usage.totalTokens.toLocaleString("en")} tokens` : ""}. Costs are
        estimates per person in the local currency; check times and prices before you go.
      </p>
    </details>
  );
}

/**
 * A trip's page: one header, what can be done with the trip, how far its planning is, then
 * the days (each with its map) and the tips. `canChange`: the viewer owns the trip (or it is
 * ownerless on an open server), so may cancel or retry it, and change its days once it is
 * finished. `pageUrl` is printed with the trip.
 */
export function ItineraryStatusView({
  initial,
  canChange,
  pageUrl,
  mapTileUrl,
  realtime = false,
}: {
  initial: ItineraryResource;
  canChange: boolean;
  pageUrl: string;
  mapTileUrl: string;
  /** The server runs jobs on Inngest: follow the job through Inngest Realtime too. */
  realtime?: boolean;
}) {
  const { itinerary, previews, connection, refresh, showPreview, follow } = useItineraryStatus(initial.id, initial);
  if (connection === "deleted") return <DeletedNotice destination={itinerary.destination} />;
  const { outline, days, status } = itinerary;
  const landed = new Map(days.map((plan) => [plan.day, plan]));
  const outlinePreview = previews.get("outline");
  const dayNumbers = Array.from({ length: itinerary.durationDays }, (_, index) => index + 1);
  // A finished trip's owner may change its days (components/change-day.tsx).
  const dayChanges = canChange && status === "completed" ? { itineraryId: itinerary.id, follow } : null;

  return (
    <div className="space-y-8 wrap-anywhere" data-status={status}>
      {realtime ? (
        <RealtimeBridge id={itinerary.id} enabled={isWriting(itinerary)} onChanged={refresh} onPreview={showPreview} />
      ) : null}
      <div className="space-y-3">
        <TripHeader itinerary={itinerary} summaryPreview={previewSummary(previews.get("details"))} />
        {!outline && status === "processing" ? (
          outlinePreview ? <OutlinePreview preview={outlinePreview} /> : <OutlineSkeleton />
        ) : null}
      </div>
      {/* Announces each stage, and the end, to screen readers whether or not the bar shows. */}
      <p aria-live="polite" className="sr-only">
        {itinerary.stage}
      </p>
      <DayChangeAnnouncer days={days} />

      <ItineraryActions itinerary={itinerary} canChange={canChange} />
      <p data-testid="share-url" className="print-only text-sm">
        Trip page: {pageUrl}
      </p>

      {itinerary.model === DEMO_MODEL ? <DemoNote /> : null}
      {status === "processing" ? <Progress itinerary={itinerary} reconnecting={connection === "reconnecting"} /> : null}
      {status === "failed" ? <FailedNotice error={itinerary.error} /> : null}
      {status === "cancelled" ? <CancelledNotice /> : null}

      <section aria-labelledby="days-title" className="days grid gap-4">
        <h2 id="days-title" className="sr-only">
          Day by day
        </h2>
        {dayNumbers.map((day) => {
          const plan = landed.get(day);
          if (plan) {
            return <DayCard key={day} plan={plan} mapTileUrl={mapTileUrl} changes={dayChanges} preview={previews.get(`day-${day}`)} />;
          }
          if (status !== "processing") return null;
          const entry = outline?.days.find((candidate) => candidate.day === day);
          return (
            <DaySkeleton
              key={day}
              day={day}
              theme={entry?.theme ?? previewTheme(outlinePreview, previews.get(`day-${day}`), day)}
              date={itinerary.startDate ? isoDay(itinerary.startDate, day) : null}
              activities={ACTIVITIES_PER_DAY[itinerary.preferences.pace].min}
              withMap={itinerary.center !== null}
              preview={previews.get(`day-${day}`)}
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

      <AboutPlan itinerary={itinerary} />
    </div>
  );
}

/** The ISO date of day `day` of a trip starting on `startDate` (the presenter's rule, without its zod). */
function isoDay(startDate: string, day: number): string {
  return new Date(Date.parse(`${startDate}T00:00:00Z`) + (day - 1) * 86_400_000).toISOString().slice(0, 10);
}
