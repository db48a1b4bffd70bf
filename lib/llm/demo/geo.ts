import type { Activity, Coordinates } from "@/lib/domain/trip";

// Distances and travel between the demo's stops: a point a given way and distance from
// another, the distance between two points, and how a traveller would cover it.

const EARTH_RADIUS_KM = 6371;
const radians = (degrees: number) => (degrees * Math.PI) / 180;
const degrees = (radians: number) => (radians * 180) / Math.PI;
const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

/** The point `km` away from `from` on compass bearing `bearing` (degrees, 0 = north). */
export function pointFrom(from: Coordinates, bearing: number, km: number): Coordinates {
  const angular = km / EARTH_RADIUS_KM;
  const lat1 = radians(from.latitude);
  const lng1 = radians(from.longitude);
  const theta = radians(bearing);
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(theta));
  const lng2 =
    lng1 + Math.atan2(Math.sin(theta) * Math.sin(angular) * Math.cos(lat1), Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2));
  const longitude = ((degrees(lng2) + 540) % 360) - 180;
  return { latitude: round6(degrees(lat2)), longitude: round6(longitude) };
}

/** Great-circle distance in kilometres. */
export function distanceKm(a: Coordinates, b: Coordinates): number {
  const dLat = radians(b.latitude - a.latitude);
  const dLng = radians(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.latitude)) * Math.cos(radians(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export type Travel = NonNullable<Activity["travelFromPrevious"]>;

/** Streets are not straight lines: a route is about this much longer than the crow flies. */
const DETOUR = 1.3;
const roundUpTo5 = (minutes: number) => Math.max(5, Math.ceil(minutes / 5) * 5);

/**
 * How to get from one stop to the next: on foot when it is close, by public transport across
 * town, by taxi further out. Without coordinates, a short walk is assumed.
 */
export function travelBetween(from: Coordinates | null, to: Coordinates | null): Travel {
  if (!from || !to) return { mode: "walk", minutes: 15 };
  const km = distanceKm(from, to) * DETOUR;
  if (km <= 1.6) return { mode: "walk", minutes: roundUpTo5((km / 4.5) * 60) };
  if (km <= 9) return { mode: "transit", minutes: roundUpTo5(8 + (km / 18) * 60) };
  return { mode: "taxi", minutes: roundUpTo5(5 + (km / 25) * 60) };
}
