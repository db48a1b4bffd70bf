import type { Coordinates } from "@/lib/domain/trip";
import { pointFrom } from "./geo";
import { hash } from "./wording";

// Each day of a demo trip stays in one part of town: the centre on day 1, then the quarters
// around it (2–4 km out) and the outskirts (5–9 km). Its stops are scattered inside that
// sector, so a day's map is compact and each day's is somewhere else.

export interface Area {
  name: string;
  /** Compass bearing of the sector from the centre, and its half-width in degrees. */
  bearing: number;
  spread: number;
  /** How far from the centre its stops lie, in km. */
  nearKm: number;
  farKm: number;
}

const DIRECTIONS = ["Northern", "North-eastern", "Eastern", "South-eastern", "Southern", "South-western", "Western", "North-western"];

/** The part of town day `day` stays in; areas differ between the days of a trip (up to 17). */
export function areaOf(destinationKey: string, city: string, day: number): Area {
  if (day <= 1) return { name: `Central ${city}`, bearing: 0, spread: 180, nearKm: 0.2, farKm: 1.4 };
  const ring = day <= 9 ? "inner" : "outer";
  const step = ring === "inner" ? day - 2 : day - 10;
  // Steps of 3 around eight directions visit each once, alternating sides of town.
  const direction = (hash(destinationKey) + step * 3) % 8;
  const word = DIRECTIONS[direction]!;
  const bearing = direction * 45;
  return ring === "inner"
    ? { name: `${word} ${city}`, bearing, spread: 20, nearKm: 2, farKm: 4 }
    : { name: `${city}'s ${word.toLowerCase()} outskirts`, bearing, spread: 15, nearKm: 5.5, farKm: 9 };
}

/** A deterministic point in the area for the stop identified by `seed`. */
export function pointIn(center: Coordinates, area: Area, seed: string): Coordinates {
  const value = hash(seed);
  const across = ((value % 1000) / 999) * 2 - 1;
  const out = (Math.floor(value / 1000) % 1000) / 999;
  const bearing = (area.bearing + across * area.spread + 360) % 360;
  return pointFrom(center, bearing, area.nearKm + out * (area.farKm - area.nearKm));
}
