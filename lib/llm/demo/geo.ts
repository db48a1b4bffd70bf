import type { Coordinates } from "@/lib/domain/trip";
import { EARTH_RADIUS_KM, radians } from "@/lib/domain/travel";

// Distances and travel between the demo's stops: a point a given way and distance from
// another, the distance between two points, and how a traveller would cover it.

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

export { distanceKm, travelBetween, type Travel } from "@/lib/domain/travel";
