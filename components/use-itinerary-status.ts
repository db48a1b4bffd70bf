"use client";

import { useCallback, useEffect, useState } from "react";
import type { Preview } from "@/lib/domain/preview";
import { previewKey } from "@/lib/domain/preview-key";
import type { ItineraryResource } from "@/lib/domain/resource";

const POLL_MS = 1000;
const MAX_BACKOFF_MS = 15_000;
/** After this many stream failures in a row, poll the JSON route instead. */
const MAX_STREAM_FAILURES = 3;

export const isTerminal = (status: ItineraryResource["status"]) => status !== "processing";

/** True while something of the job is still being written: the job itself, or a day being changed. */
export const isWriting = (resource: ItineraryResource) =>
  !isTerminal(resource.status) || resource.days.some((plan) => plan.state === "revising");

/** "deleted": the job is gone (its owner deleted it, or it expired); nothing more will come. */
type Connection = "live" | "reconnecting" | "deleted";

/** What the model is writing now, by part ("outline", "day-3"): only parts not yet landed. */
export type Previews = ReadonlyMap<string, Preview>;

/**
 * Keeps the previews whose part has not landed in `resource` (a landed part replaces its
 * preview). Once the job is done, only the previews of days being changed are kept, each
 * until its day's revision changes (from `before`, the resource the previews came with).
 */
function unlanded(previews: Previews, resource: ItineraryResource, before?: ItineraryResource): Previews {
  if (previews.size === 0) return previews;
  let kept: Array<[string, Preview]>;
  if (resource.status !== "processing") {
    const revising = new Set(
      resource.days
        .filter((plan) => plan.state === "revising" && (!before || before.days.find((was) => was.day === plan.day)?.revision === plan.revision))
        .map((plan) => previewKey({ part: "day", day: plan.day })),
    );
    kept = [...previews].filter(([key]) => revising.has(key));
  } else {
    const landed = new Set(resource.days.map((plan) => previewKey({ part: "day", day: plan.day })));
    if (resource.outline) landed.add("outline");
    if (resource.outline?.summary) landed.add("details");
    kept = [...previews].filter(([key]) => !landed.has(key));
  }
  return kept.length === previews.size ? previews : new Map(kept);
}

/** The previews after `preview` arrived: a null value withdraws its part's preview. */
function withPreview(previews: Previews, preview: Preview, resource: ItineraryResource): Previews {
  const next = new Map(previews);
  if (preview.value === null) next.delete(previewKey(preview));
  else next.set(previewKey(preview), preview);
  return unlanded(next, resource);
}

/**
 * Follows a job from the server's first render until it ends: Server-Sent Events from
 * /events while they work (EventSource resumes with Last-Event-ID after a drop), polling
 * the JSON route where they do not, with backoff while the network is down. Stops once the
 * job is completed, failed or cancelled and no day of it is being changed, or once it is
 * deleted (the stream's `deleted` event, or a 404 from the JSON route); `follow` starts
 * again after the page changed a day. The stream's `partial` events are previews of what the
 * model is writing; each is dropped once its part lands (or its step fails).
 */
export function useItineraryStatus(id: string, initial: ItineraryResource) {
  const [state, setState] = useState<{ resource: ItineraryResource; previews: Previews }>({
    resource: initial,
    previews: new Map(),
  });
  const [connection, setConnection] = useState<Connection>("live");
  // One more each time the page asks to follow the job again (a day it changed is being rewritten).
  const [generation, setGeneration] = useState(0);
  const writing = generation > 0 || isWriting(initial);

  useEffect(() => {
    if (!writing) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let source: EventSource | undefined;
    let pollFailures = 0;
    // Polling replaces the stream for good once the stream has failed repeatedly.
    let polling = typeof EventSource === "undefined";

    const accept = (next: ItineraryResource) => {
      if (stopped) return;
      setConnection("live");
      setState((current) => ({ resource: next, previews: unlanded(current.previews, next, current.resource) }));
      if (!isWriting(next)) stop();
    };

    const gone = () => {
      if (stopped) return;
      stop();
      setConnection("deleted");
    };

    const poll = async () => {
      try {
        const response = await fetch(`/api/itineraries/${id}`, { cache: "no-store" });
        if (response.status === 404) return gone();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        pollFailures = 0;
        accept((await response.json()) as ItineraryResource);
      } catch {
        pollFailures += 1;
        if (!stopped) setConnection("reconnecting");
      }
      if (stopped) return;
      const delay = pollFailures === 0 ? POLL_MS : Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** pollFailures);
      timer = setTimeout(poll, delay);
    };

    const stream = () => {
      let failures = 0;
      source = new EventSource(`/api/itineraries/${id}/events`);
      source.addEventListener("snapshot", (event) => {
        failures = 0;
        accept(JSON.parse((event as MessageEvent<string>).data) as ItineraryResource);
      });
      source.addEventListener("partial", (event) => {
        if (stopped) return;
        const preview = JSON.parse((event as MessageEvent<string>).data) as Preview;
        setState((current) => ({ ...current, previews: withPreview(current.previews, preview, current.resource) }));
      });
      source.addEventListener("deleted", gone);
      source.onerror = () => {
        if (stopped) return;
        failures += 1;
        setConnection("reconnecting");
        // CLOSED: the browser gave up on the stream for good (an error status, a proxy that
        // refuses event streams), so there is nothing to wait for.
        if (failures >= MAX_STREAM_FAILURES || source?.readyState === EventSource.CLOSED) {
          source?.close();
          polling = true;
          timer = setTimeout(poll, POLL_MS);
        }
      };
    };

    function stop() {
      stopped = true;
      source?.close();
      clearTimeout(timer);
    }

    // The browser knows before the stream does: say so at once, and reconnect (a fresh
    // stream starts with a snapshot, so nothing missed while offline is lost) once back.
    const onOffline = () => {
      if (stopped) return;
      source?.close();
      clearTimeout(timer);
      setConnection("reconnecting");
    };
    const onOnline = () => {
      if (stopped) return;
      clearTimeout(timer);
      if (polling) void poll();
      else if (source?.readyState !== EventSource.OPEN) {
        source?.close();
        stream();
      }
    };

    if (polling) timer = setTimeout(poll, POLL_MS);
    else stream();
    window.addEventListener("offline", onOffline);
    window.addEventListener("online", onOnline);
    return () => {
      stop();
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("online", onOnline);
    };
  }, [id, writing, generation]);

  // Updates heard beside the stream (Inngest Realtime: use-realtime-updates.ts) land in the
  // same state: a newer read of the job (never an older one), and previews.
  const refresh = useCallback(async () => {
    try {
      const response = await fetch(`/api/itineraries/${id}`, { cache: "no-store" });
      if (!response.ok) return; // the stream (or polling) tells what is wrong
      const next = (await response.json()) as ItineraryResource;
      setState((current) =>
        next.updatedAt >= current.resource.updatedAt
          ? { resource: next, previews: unlanded(current.previews, next, current.resource) }
          : current,
      );
    } catch {
      // The stream is still open.
    }
  }, [id]);
  const showPreview = useCallback((preview: Preview) => {
    setState((current) => ({ ...current, previews: withPreview(current.previews, preview, current.resource) }));
  }, []);

  /**
   * Shows `next` (the job as a change the page made left it) at once, and follows the job
   * again while something of it is being written.
   */
  const follow = useCallback((next: ItineraryResource) => {
    setState((current) => ({ resource: next, previews: unlanded(current.previews, next, current.resource) }));
    if (isWriting(next)) setGeneration((current) => current + 1);
  }, []);

  return { itinerary: state.resource, previews: state.previews, connection, refresh, showPreview, follow };
}
