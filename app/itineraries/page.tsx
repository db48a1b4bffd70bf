import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { StatusBadge } from "@/components/status-badge";
import { ownerCookieValue, ownerFromCookie } from "@/lib/api/owner";
import { presentSummary } from "@/lib/domain/presenter";
import { listItineraries } from "@/lib/itineraries/reads";
import { readOrUnavailable } from "../database-outage";

export const metadata: Metadata = { title: "Your itineraries" };
export const dynamic = "force-dynamic";

const ago = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

function age(iso: string, now: number): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Math.abs(seconds) < 60) return ago.format(seconds, "second");
  if (Math.abs(seconds) < 3600) return ago.format(Math.round(seconds / 60), "minute");
  if (Math.abs(seconds) < 86_400) return ago.format(Math.round(seconds / 3600), "hour");
  return ago.format(Math.round(seconds / 86_400), "day");
}

/** This browser's trips (history is private): none until it has planned one. */
async function loadRecent() {
  const now = Date.now();
  const owner = await ownerFromCookie(ownerCookieValue(await headers()));
  if (!owner) return [];
  const rows = await readOrUnavailable(() => listItineraries({ limit: 50, ownerKey: owner.ownerKey }));
  return rows.map((row) => {
    const summary = presentSummary(row);
    return { ...summary, age: age(summary.createdAt, now) };
  });
}

export default async function ItinerariesPage() {
  const items = await loadRecent();
  return (
    <div className="space-y-6">
      <h1 className="text-3xl font-bold tracking-tight">Your itineraries</h1>
      {items.length === 0 ? (
        <p>
          Trips planned in this browser appear here; no one else sees them.{" "}
          <Link href="/" className="font-medium text-brand-700 underline dark:text-brand-100">
            Plan your first trip
          </Link>
          .
        </p>
      ) : (
        <ul className="divide-y divide-stone-200 rounded-xl border border-stone-200 dark:divide-stone-800 dark:border-stone-800">
          {items.map((item) => (
            <li key={item.id}>
              <Link href={item.links.page} className="flex flex-wrap items-center justify-between gap-2 px-4 py-3 hover:bg-stone-100 dark:hover:bg-stone-900">
                <span>
                  <span className="font-medium">{item.destination}</span>
                  <span className="text-stone-600 dark:text-stone-400">
                    {" "}
                    · {item.durationDays} {item.durationDays === 1 ? "day" : "days"}
                    {item.title ? ` · ${item.title}` : ""}
                  </span>
                </span>
                <span className="flex items-center gap-3 text-sm text-stone-600 dark:text-stone-400">
                  <time dateTime={item.createdAt}>{item.age}</time>
                  <StatusBadge status={item.status} />
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
