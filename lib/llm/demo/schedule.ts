import type { Budget, Coordinates, Pace } from "@/lib/domain/trip";
import { travelBetween, type Travel } from "./geo";

// Clock times for a demo day. The day runs in blocks — morning, lunch, afternoon, dinner,
// evening — and each block's activities are shortened if they would not fit before the next
// meal (or midnight), so every stop starts after the previous one ends plus the travel to it.

export type Block = "morning" | "lunch" | "afternoon" | "dinner" | "evening";

export interface Stop {
  block: Block;
  minutes: number;
  /** Best first thing (a market breakfast): the day does not start late for it. */
  early?: boolean;
  location: Coordinates | null;
}

export interface Timed {
  startTime: string;
  durationMinutes: number;
  travelFromPrevious: Travel | null;
}

const at = (hours: number, minutes = 0) => hours * 60 + minutes;
const MIDNIGHT = at(24);

const DAY_START: Record<Pace, number> = { relaxed: at(9, 30), balanced: at(9), packed: at(8, 30) };
/** When a block's activities should be over, so the meal after them can start on time. */
const BLOCK_END: Partial<Record<Block, number>> = { morning: at(12, 45), afternoon: at(18, 45), evening: at(23, 45) };
const MIN_ACTIVITY_MINUTES = 45;

function mealStart(block: "lunch" | "dinner", pace: Pace, budget: Budget): number {
  if (block === "lunch") return pace === "relaxed" ? at(13) : at(12, 30);
  return budget === "luxury" ? at(19, 30) : at(19);
}

const roundUp15 = (minutes: number) => Math.ceil(minutes / 15) * 15;
const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** Durations for a block's activities that fit between `start` and the block's end. */
function fitted(stops: readonly Stop[], travels: readonly (Travel | null)[], start: number, end: number): number[] {
  const wanted = stops.reduce((sum, stop) => sum + stop.minutes, 0);
  const overhead = travels.reduce((sum, travel) => sum + (travel?.minutes ?? 0) + 15, 0);
  const available = end - start - overhead;
  if (wanted <= available) return stops.map((stop) => stop.minutes);
  const scale = Math.max(0, available) / wanted;
  return stops.map((stop) => Math.max(MIN_ACTIVITY_MINUTES, Math.floor((stop.minutes * scale) / 15) * 15));
}

/** A short morning starts a little later (up to 90 minutes) rather than idling before lunch. */
function dayStart(stops: readonly Stop[], travels: readonly (Travel | null)[], pace: Pace, budget: Budget): number {
  const lunch = stops.findIndex((stop) => stop.block === "lunch");
  if (lunch <= 0 || stops.slice(0, lunch).some((stop) => stop.early)) return DAY_START[pace];
  const morning = stops.slice(0, lunch).reduce((sum, stop) => sum + stop.minutes, 0);
  const moving = travels.slice(1, lunch + 1).reduce((sum, travel) => sum + (travel?.minutes ?? 0) + 15, 0);
  const latest = Math.floor((mealStart("lunch", pace, budget) - morning - moving) / 15) * 15;
  return Math.min(Math.max(latest, DAY_START[pace]), DAY_START[pace] + 90);
}

/** Start times, durations and travel for `stops`, given in the order they happen. */
export function scheduleDay(stops: readonly Stop[], pace: Pace, budget: Budget): Timed[] {
  const travels = stops.map((stop, index) => (index === 0 ? null : travelBetween(stops[index - 1]!.location, stop.location)));
  const durations = stops.map((stop) => stop.minutes);
  const firstStart = dayStart(stops, travels, pace, budget);
  const timed: Timed[] = [];
  let previousEnd: number | null = null;
  for (let index = 0; index < stops.length; index += 1) {
    const stop = stops[index]!;
    const blockEnd = BLOCK_END[stop.block];
    // Entering a block of activities: fit the whole block at once.
    if (blockEnd !== undefined && stops[index - 1]?.block !== stop.block) {
      let last = index;
      while (stops[last + 1]?.block === stop.block) last += 1;
      const blockStart = previousEnd ?? firstStart;
      const fit = fitted(stops.slice(index, last + 1), travels.slice(index, last + 1), blockStart, blockEnd);
      fit.forEach((minutes, offset) => (durations[index + offset] = minutes));
    }
    const travel = travels[index] ?? null;
    const preferred = stop.block === "lunch" || stop.block === "dinner" ? mealStart(stop.block, pace, budget) : firstStart;
    const earliest = previousEnd === null ? preferred : previousEnd + (travel?.minutes ?? 0);
    const start = roundUp15(Math.max(earliest, stop.block === "evening" ? 0 : preferred));
    // Nothing runs past midnight: a late stop is cut short (never below a quarter of an hour).
    const minutes = Math.max(15, Math.min(durations[index]!, MIDNIGHT - start));
    timed.push({ startTime: clock(Math.min(start, MIDNIGHT - 15)), durationMinutes: minutes, travelFromPrevious: travel });
    previousEnd = start + minutes;
  }
  return timed;
}
