import type { Activity, Coordinates } from "./plan";

// Distances and how a traveller covers them between two stops: the estimate the demo model
// plans with, and the one a day's timeline is mended with when a stop is removed.

export const EARTH_RADIUS_KM = 6371;
export const radians = (degrees: number) => (degrees * Math.PI) / 180;

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
