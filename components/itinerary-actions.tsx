"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ItineraryResource } from "@/lib/domain/resource";

const buttonClass =
  "rounded-lg border border-stone-300 px-3 py-2 text-sm font-medium hover:bg-stone-100 disabled:opacity-60 dark:border-stone-700 dark:hover:bg-stone-800";

/**
 * Writes the trip as Markdown or iCalendar and downloads it. The writers load on the first
 * export: most visits never export, so the page does not carry them.
 */
async function exportTrip(itinerary: ItineraryResource, kind: "md" | "ics", pageUrl: string) {
  const { exportFileName, itineraryToIcs, itineraryToMarkdown } = await import("@/lib/itineraries/export");
  if (kind === "md") download(exportFileName(itinerary, "md"), "text/markdown", itineraryToMarkdown(itinerary, { pageUrl }));
  else download(exportFileName(itinerary, "ics"), "text/calendar", itineraryToIcs(itinerary, { pageUrl }));
}

function download(name: string, type: string, content: string) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Cancel, retry (for its owner), share, export and print: what a traveller can do with a job. */
export function ItineraryActions({ itinerary, canChange }: { itinerary: ItineraryResource; canChange: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  async function act(verb: "cancel" | "retry") {
    if (verb === "cancel" && !window.confirm("Stop generating this itinerary? Days already planned are kept.")) return;
    setBusy(true);
    setMessage(null);
    try {
      const response = await fetch(`/api/itineraries/${itinerary.id}/${verb}`, { method: "POST" });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        setMessage(body?.error?.message ?? `That did not work (HTTP ${response.status}).`);
      }
      // A fresh server render restarts the live view from the job's new state.
      router.refresh();
    } catch {
      setMessage("You seem to be offline; please try again.");
    } finally {
      setBusy(false);
    }
  }

  async function share() {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setMessage("Link copied.");
    } catch {
      setMessage(`Copy this link: ${window.location.href}`);
    }
  }

  // The trip page's absolute URL, for the exports' links back to it.
  const pageUrl = () => new URL(itinerary.links.page, window.location.origin).href;
  const { status } = itinerary;
  return (
    <div className="no-print space-y-2">
      <div className="flex flex-wrap gap-2">
        {canChange && status === "processing" ? (
          <button type="button" className={buttonClass} disabled={busy} onClick={() => act("cancel")}>
            Cancel
          </button>
        ) : null}
        {canChange && (status === "failed" || status === "cancelled") ? (
          <button type="button" className={buttonClass} disabled={busy} onClick={() => act("retry")}>
            Try again
          </button>
        ) : null}
        <button type="button" className={buttonClass} onClick={share}>
          Copy share link
        </button>
        {status === "completed" ? (
          <>
            <button
              type="button"
              className={buttonClass}
              onClick={() => void exportTrip(itinerary, "md", pageUrl())}
            >
              Download Markdown
            </button>
            <button
              type="button"
              className={buttonClass}
              onClick={() => void exportTrip(itinerary, "ics", pageUrl())}
            >
              Add to calendar (.ics)
            </button>
            <button type="button" className={buttonClass} onClick={() => window.print()}>
              Print
            </button>
          </>
        ) : null}
      </div>
      <p aria-live="polite" className="text-sm text-stone-600 dark:text-stone-400">
        {message}
      </p>
    </div>
  );
}
