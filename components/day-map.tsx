"use client";

import "leaflet/dist/leaflet.css";
import L from "leaflet";
import { useEffect, useRef } from "react";

/** A located activity: its number in the day's list, its title and where it is. */
export interface MapStop {
  stop: number;
  title: string;
  latitude: number;
  longitude: number;
}

// OpenStreetMap's tile usage policy asks for this attribution, visible on the map.
const ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

/** Brings the activity's entry in the list into view and gives it focus. */
function openStop(day: number, stop: number) {
  const entry = document.getElementById(`day-${day}-stop-${stop}`);
  entry?.scrollIntoView({ block: "center", behavior: "smooth" });
  entry?.focus({ preventScroll: true });
}

/**
 * A Leaflet map of one day, drawn into its parent region. Markers and the route are vectors
 * and HTML over the tiles: when tiles cannot load they still show, on a plain background.
 * Neither the map nor its markers take keyboard focus: the list is the way through the day.
 */
export default function DayMap({ day, stops, tileUrl }: { day: number; stops: MapStop[]; tileUrl: string }) {
  const container = useRef<HTMLDivElement>(null);
  // Live updates hand over equal stops as new objects: redraw only when they really change.
  const stopsKey = JSON.stringify(stops);

  useEffect(() => {
    const stops = JSON.parse(stopsKey) as MapStop[];
    if (!container.current || stops.length === 0) return;
    const map = L.map(container.current, { keyboard: false, scrollWheelZoom: false, attributionControl: false });
    L.control.attribution({ prefix: '<a href="https://leafletjs.com">Leaflet</a>' }).addTo(map);
    L.tileLayer(tileUrl, { attribution: ATTRIBUTION, maxZoom: 19, subdomains: "abc" }).addTo(map);
    const points = stops.map((stop) => L.latLng(stop.latitude, stop.longitude));
    if (points.length > 1) L.polyline(points, { color: "#0e7490", weight: 3, opacity: 0.8, interactive: false }).addTo(map);
    for (const stop of stops) {
      const number = Object.assign(document.createElement("span"), { textContent: String(stop.stop) });
      number.setAttribute("aria-hidden", "true");
      const icon = L.divIcon({ className: "map-marker", html: number, iconSize: [26, 26], iconAnchor: [13, 13] });
      const label = Object.assign(document.createElement("span"), { textContent: `${stop.stop}. ${stop.title}` });
      L.marker([stop.latitude, stop.longitude], { icon, keyboard: false, riseOnHover: true })
        .bindTooltip(label, { direction: "top", offset: [0, -12] })
        .on("click", () => openStop(day, stop.stop))
        .addTo(map);
    }
    if (points.length === 1) map.setView(points[0]!, 15);
    else map.fitBounds(L.latLngBounds(points), { padding: [28, 28], maxZoom: 16 });
    // The card's layout changes the map's size (breakpoints, fonts loading): keep Leaflet told.
    const resized = new ResizeObserver(() => map.invalidateSize());
    resized.observe(container.current);
    return () => {
      resized.disconnect();
      map.remove();
    };
  }, [day, stopsKey, tileUrl]);

  return <div ref={container} data-testid={`day-${day}-map-canvas`} className="h-full w-full" />;
}
