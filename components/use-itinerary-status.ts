"use client";

import { useEffect, useState } from "react";
import type { ItineraryResource } from "@/lib/itineraries/presenter";

const POLL_MS = 1000;
const MAX_BACKOFF_MS = 15_000;

export const isTerminal = (status: ItineraryResource["status"]) => status !== "processing";

/**
 * Follows a job from the server's first render until it ends: polls the JSON route while
 * it is processing, backs off while the network is down, resumes when it returns, and stops
 * once the job is completed, failed or cancelled.
 */
export function useItineraryStatus(id: string, initial: ItineraryResource) {
  const [resource, setResource] = useState(initial);
  const [connection, setConnection] = useState<"live" | "reconnecting">("live");

  useEffect(() => {
    if (isTerminal(initial.status)) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;

    const poll = async () => {
      try {
        const response = await fetch(`/api/itineraries/${id}`, { cache: "no-store" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const next = (await response.json()) as ItineraryResource;
        if (cancelled) return;
        failures = 0;
        setConnection("live");
        setResource(next);
        if (isTerminal(next.status)) return;
      } catch {
        if (cancelled) return;
        failures += 1;
        setConnection("reconnecting");
      }
      const delay = failures === 0 ? POLL_MS : Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** failures);
      timer = setTimeout(poll, delay);
    };

    const onOnline = () => {
      clearTimeout(timer);
      void poll();
    };
    timer = setTimeout(poll, POLL_MS);
    window.addEventListener("online", onOnline);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      window.removeEventListener("online", onOnline);
    };
  }, [id, initial.status]);

  return { itinerary: resource, connection };
}
