"use client";

import { useCallback, useEffect, useRef } from "react";
import { useRealtime } from "inngest/react";
import type { Preview } from "@/lib/domain/preview";
import { isPreview } from "@/lib/domain/preview-key";

// On the Inngest runner, a trip page also hears its job through Inngest Realtime: the
// token comes from GET /api/itineraries/{id}/realtime-token (its channel and topics
// with it). `changed` → onChanged() (the caller reads the job again); `partial` → onPreview.
// The event stream (use-itinerary-status.ts) stays open beside it: if realtime is down,
// nothing is lost. Not enabled (the local runner, an ended job): it does nothing.

type RealtimeToken = { key: string; channel: string; topics: string[]; apiBaseUrl?: string };

/** Messages kept by useRealtime; more than this arriving between two renders would be read twice. */
const HISTORY = 50;

export function useRealtimeUpdates(
  id: string,
  {
    enabled,
    onChanged,
    onPreview,
  }: { enabled: boolean; onChanged: () => void; onPreview: (preview: Preview) => void },
) {
  const callbacks = useRef({ onChanged, onPreview });
  useEffect(() => {
    callbacks.current = { onChanged, onPreview };
  });

  const token = useCallback(async (): Promise<RealtimeToken> => {
    const response = await fetch(`/api/itineraries/${id}/realtime-token`, { cache: "no-store" });
    if (!response.ok) throw new Error(`realtime token: HTTP ${response.status}`);
    return (await response.json()) as RealtimeToken;
  }, [id]);

  const { messages } = useRealtime({ token, key: id, enabled, historyLimit: HISTORY, validate: false });

  // `all` accumulates every message (delta may merge two renders' worth): read what came
  // after the last one handled.
  const handled = useRef<unknown>(null);
  useEffect(() => {
    const all = messages.all;
    const from = handled.current === null ? 0 : all.lastIndexOf(handled.current as (typeof all)[number]) + 1;
    let changed = false;
    for (const message of all.slice(from)) {
      if (message.kind !== "data") continue;
      if (message.topic === "changed") changed = true;
      else if (message.topic === "partial") {
        if (isPreview(message.data)) callbacks.current.onPreview(message.data);
      }
    }
    if (all.length > 0) handled.current = all[all.length - 1];
    // One read for however many changes arrived together.
    if (changed) callbacks.current.onChanged();
  }, [messages.all]);
}
