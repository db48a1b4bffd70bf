"use client";

import Link from "next/link";

const FALLBACK = "Something went wrong while planning this trip.";

/**
 * The job's error for a traveller. Sentences meant for whoever runs the server (they name a
 * setting, e.g. "check OPENAI_API_KEY") are left out here; the API still carries them whole.
 */
export function travellerMessage(error: string | null): string {
  if (!error) return FALLBACK;
  const sentences = error.split(/(?<=[.!?])\s+/).filter((sentence) => !/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/.test(sentence));
  return sentences.join(" ") || FALLBACK;
}

export function FailedNotice({ error }: { error: string | null }) {
  return (
    <div role="alert" data-testid="job-error" className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <p className="font-semibold">We could not finish this itinerary.</p>
      <p>{travellerMessage(error)}</p>
      <p className="mt-1 text-sm">Days already planned are kept: choose “Try again” to finish the rest.</p>
    </div>
  );
}

export function CancelledNotice() {
  return <p className="rounded-lg border border-stone-300 px-4 py-3">This itinerary was cancelled. Choose “Try again” to finish it.</p>;
}

/** What is left of a trip's page once the trip is deleted while it is open. */
export function DeletedNotice({ destination }: { destination: string }) {
  return (
    <div data-testid="trip-deleted" className="space-y-4">
      <h1 className="text-3xl font-bold tracking-tight">This trip was deleted</h1>
      <p>The itinerary for {destination} no longer exists, so there is nothing more to show or update here.</p>
      <p className="flex gap-4">
        <Link href="/" className="font-medium text-brand-700 underline dark:text-brand-100">
          Plan a new trip
        </Link>
        <Link href="/itineraries" className="font-medium text-brand-700 underline dark:text-brand-100">
          See your itineraries
        </Link>
      </p>
    </div>
  );
}

/** The offline demo model's plans are illustrative; this says so, in a traveller's words. */
export function DemoNote() {
  return (
    <aside
      data-testid="demo-note"
      className="rounded-lg border border-sky-300 bg-sky-50 px-4 py-3 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100"
    >
      This plan was written by Itinera’s offline <strong>demo model</strong>, so it is illustrative: its places, times
      and costs were not researched. To plan with a real language model, see the README’s “OpenAI and compatible
      servers” section.
    </aside>
  );
}
