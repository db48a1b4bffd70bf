"use client";

import type { Preview } from "@/lib/domain/preview";
import { useRealtimeUpdates } from "./use-realtime-updates";

// The trip page's Inngest Realtime subscription as a component of its own, so the page
// loads its code (the Realtime client) only on a server whose jobs run on Inngest.

export default function RealtimeBridge(props: {
  id: string;
  enabled: boolean;
  onChanged: () => void;
  onPreview: (preview: Preview) => void;
}) {
  useRealtimeUpdates(props.id, props);
  return null;
}
