import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { cache } from "react";
import { ItineraryStatusView } from "@/components/itinerary-status-view";
import { identifyCaller } from "@/lib/api/caller";
import { mayChange } from "@/lib/domain/owner";
import { presentItinerary } from "@/lib/domain/presenter";
import { tripPreview } from "@/lib/domain/share-preview";
import { env, jobRunnerKind } from "@/lib/env";
import { getItinerary } from "@/lib/itineraries/reads";
import { readOrUnavailable } from "../../database-outage";

type Props = { params: Promise<{ id: string }> };

// Metadata and page share one read per request; a database outage is told apart (error.tsx).
const loadItinerary = cache((id: string) => readOrUnavailable(() => getItinerary(id)));

// A shared link previews as the trip: destination and length only (tripPreview). The
// segment's layout keeps these pages out of search engines.
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const found = await loadItinerary((await params).id);
  if (!found) return { title: "Itinerary not found" };
  const { title, description } = tripPreview(found.job);
  return {
    title: `${found.job.destination} itinerary`,
    description,
    openGraph: { title, description, type: "website", siteName: "Itinera" },
    twitter: { card: "summary", title, description },
  };
}

/** The page's absolute URL, for print (APP_URL when set, else the request's own host). */
function pageUrlOf(requestHeaders: Headers, path: string): string {
  const host = requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost";
  const protocol = requestHeaders.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? "http";
  return new URL(path, env().APP_URL ?? `${protocol}://${host}`).href;
}

export default async function ItineraryPage({ params }: Props) {
  const found = await loadItinerary((await params).id);
  if (!found) notFound();
  const resource = presentItinerary(found.job, found.days);
  const requestHeaders = await headers();
  // Anyone with the link may read the trip; only its owner sees cancel and retry.
  const canChange = mayChange(found.job, await identifyCaller(requestHeaders));
  // key: a fresh server render (e.g. after navigation) restarts the live view from it.
  return (
    <ItineraryStatusView
      key={resource.updatedAt}
      initial={resource}
      canChange={canChange}
      pageUrl={pageUrlOf(requestHeaders, resource.links.page)}
      mapTileUrl={env().MAP_TILE_URL}
      realtime={jobRunnerKind() === "inngest"}
    />
  );
}
