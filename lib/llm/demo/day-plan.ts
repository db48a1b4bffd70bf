import { ACTIVITIES_PER_DAY } from "@/lib/domain/constants";
import type { Activity } from "@/lib/domain/trip";
import type { TripData } from "@/lib/llm/prompts";
import { areaOf, pointIn } from "./areas";
import type { Destination } from "./gazetteer";
import type { Idea } from "./ideas";
import { interestCycle, interestNote, type InterestEntry } from "./interests";
import { mealIdea } from "./meals";
import { localPrice } from "./money";
import { scheduleDay, type Block } from "./schedule";
import { capitalize, clip, fill, hash, listOf } from "./wording";

// One day of a demo trip, worked out from the request alone, so the outline (which names
// each day's area and highlights) and the day (planned later, in parallel with the others)
// agree without talking to each other. The trip's activity slots are numbered across all its
// days; slot s goes to the interests in turn, and the n-th slot of an interest takes the n-th
// idea of its list, so no idea is used twice in a trip and every day draws from its own share.

export interface PlannedDay {
  area: string;
  theme: string;
  activities: Activity[];
  /** The places of the day's main activities (2 to 4), which no other day visits. */
  highlights: string[];
}

/** What the day's task asks beyond the request: places to visit, and places to leave alone. */
export interface DayConstraints {
  highlights: readonly string[];
  avoid: readonly string[];
}

interface Planned {
  idea: Idea;
  block: Block;
  /** Interests the activity stands for, mentioned in its text. */
  labels: string[];
  /** The exact place, when it must match a highlight the day was given. */
  place?: string;
}

export const tripKey = (trip: TripData) => trip.destination.trim().toLowerCase();

function activityCount(trip: TripData, day: number): number {
  const { min, max } = ACTIVITIES_PER_DAY[trip.pace];
  return min + (hash(`${tripKey(trip)}#${day}#count`) % (max - min + 1));
}

function ideaFor(entry: InterestEntry, use: number, trip: TripData): Idea {
  const { ideas, fallbacks } = entry;
  // Interest lists start somewhere different for each destination; the essentials in order.
  const shift = entry.labels.length > 0 ? hash(`${tripKey(trip)}#${entry.key}`) : 0;
  if (use < ideas.length) return ideas[(use + shift) % ideas.length]!;
  return fallbacks[(use - ideas.length) % fallbacks.length]!;
}

/** The day's activities (no meals yet), each with the interest it stands for. */
function dayActivities(trip: TripData, day: number): { chosen: Planned[]; themes: string[]; extras: string[] } {
  const { entries, cycle } = interestCycle(trip.interests);
  const counts = Array.from({ length: trip.durationDays }, (_, index) => activityCount(trip, index + 1));
  const first = counts.slice(0, day - 1).reduce((sum, count) => sum + count, 0);
  const chosen = Array.from({ length: activityCount(trip, day) }, (_, offset): Planned & { entry: InterestEntry } => {
    const slot = first + offset;
    const entry = cycle[slot % cycle.length]!;
    const idea = ideaFor(entry, Math.floor(slot / cycle.length), trip);
    return { idea, block: "morning", labels: entry.labels, entry };
  });
  // More interests than slots in the whole trip (a short trip, many interests): the rest are
  // shared out as suggestions, so each one still shows up somewhere.
  const totalSlots = counts.reduce((sum, count) => sum + count, 0);
  const extras = entries
    .slice(totalSlots)
    .filter((_, index) => index % trip.durationDays === day - 1)
    .flatMap((entry) => entry.labels);
  // The day's theme names the traveller's interests first, then what the essentials drew on.
  const sources = [...new Set(chosen.flatMap((planned) => (planned.labels.length === 0 && planned.idea.source ? [planned.idea.source] : [])))];
  const turn = day % Math.max(1, sources.length);
  const themes = [
    ...chosen.filter((planned) => planned.labels.length > 0).map((planned) => planned.entry.name),
    ...sources.slice(turn),
    ...sources.slice(0, turn),
  ];
  return { chosen, themes: [...new Set(themes)], extras };
}

/** Morning, lunch, afternoon, dinner, then up to two activities made for the evening. */
function inDayOrder(chosen: Planned[], trip: TripData, day: number): Planned[] {
  const evening = chosen.filter((planned) => planned.idea.evening);
  const afterDinner = evening.slice(0, 2);
  // A third evening idea goes at the end of the afternoon, before dinner.
  const daytime = [
    ...chosen.filter((planned) => planned.idea.morning),
    ...chosen.filter((planned) => !planned.idea.morning && !planned.idea.evening),
    ...evening.slice(2),
  ];
  const morningCount = Math.min(daytime.length, Math.max(1, Math.floor(daytime.length / 2)));
  // Consecutive days eat at different kinds of places.
  const lunchKind = hash(`${tripKey(trip)}#lunch`) + day;
  const dinnerKind = hash(`${tripKey(trip)}#dinner`) + day;
  return [
    ...daytime.slice(0, morningCount).map((planned) => ({ ...planned, block: "morning" as const })),
    { idea: mealIdea("lunch", trip.budget, lunchKind), block: "lunch", labels: [] },
    ...daytime.slice(morningCount).map((planned) => ({ ...planned, block: "afternoon" as const })),
    { idea: mealIdea("dinner", trip.budget, dinnerKind), block: "dinner", labels: [] },
    ...afterDinner.map((planned) => ({ ...planned, block: "evening" as const })),
  ];
}

const isMeal = (planned: Planned) => planned.block === "lunch" || planned.block === "dinner";

function placeOf(planned: Planned, values: Record<string, string>): string {
  return planned.place ?? clip(`${fill(planned.idea.place, values)}, ${values.area}`, 120);
}

/** What fills the slot of an activity the day must not have, one kind per slot. */
const FREE_TIME: Idea[] = [
  { title: "Free time in {area}", place: "Wherever the day takes you", category: "relaxation", minutes: 60, usd: 0, description: "An open hour to follow your nose around {area}." },
  { title: "A coffee break in {area}", place: "A café of your choosing", category: "relaxation", minutes: 45, usd: 5, description: "Sit down, look at the map and let {area} go by." },
  { title: "Wandering {area} at your own pace", place: "The streets around you", category: "sightseeing", minutes: 60, usd: 0, description: "No plan for this hour: see where the streets of {area} lead." },
];

/** Makes the day visit the highlights it was given, and none of the other days'. */
function honour(planned: Planned[], constraints: DayConstraints, values: Record<string, string>): Planned[] {
  const avoid = new Set(constraints.avoid);
  let replaced = 0;
  let result = planned.map((entry) =>
    !isMeal(entry) && avoid.has(placeOf(entry, values)) ? { ...entry, idea: FREE_TIME[replaced++ % FREE_TIME.length]!, place: undefined } : entry,
  );
  for (const highlight of constraints.highlights) {
    if (result.some((entry) => placeOf(entry, values) === highlight)) continue;
    const visit: Idea = { title: clip(`Time at ${highlight}`, 120), place: highlight, category: "sightseeing", minutes: 90, usd: 10, description: "One of the day's highlights: take your time and look around {area}." };
    const replaceable = result.findLastIndex((entry) => !isMeal(entry) && entry.block !== "evening" && !constraints.highlights.includes(placeOf(entry, values)));
    if (replaceable >= 0) result = result.with(replaceable, { ...result[replaceable]!, idea: visit, place: highlight });
    else if (result.length < 10) result = [...result.slice(0, 1), { idea: visit, block: "morning", labels: [], place: highlight }, ...result.slice(1)];
  }
  return result;
}

function themeOf(names: string[], area: string): string {
  if (names.length === 0) return `Landmarks and local life in ${area}`;
  const both = `${capitalize(listOf(names.slice(0, 2)))} in ${area}`;
  return both.length <= 120 ? both : clip(`${capitalize(names[0]!)} in ${area}`, 120);
}

export function planDay(trip: TripData, day: number, place: Destination, constraints?: DayConstraints): PlannedDay {
  const area = areaOf(tripKey(trip), place.name, day);
  const values = { city: place.name, area: area.name };
  const { chosen, themes, extras } = dayActivities(trip, day);
  const ordered = inDayOrder(chosen, trip, day);
  const planned = constraints ? honour(ordered, constraints, values) : ordered;
  const lastActivity = planned.findLastIndex((entry) => !isMeal(entry));

  const stops = planned.map((entry, index) => ({
    block: entry.block,
    minutes: entry.idea.minutes,
    early: entry.idea.morning === true,
    location: place.center ? pointIn(place.center, area, `${tripKey(trip)}#${day}#${index}`) : null,
  }));
  const times = scheduleDay(stops, trip.pace, trip.budget);
  const activities = planned.map((entry, index): Activity => {
    const cost = localPrice(entry.idea.usd, place.currency, trip.budget, { isMeal: isMeal(entry) });
    const title = clip(fill(entry.idea.title, values), 120);
    let description = fill(entry.idea.description, values);
    description += interestNote(`${title} ${description}`, entry.labels);
    if (index === lastActivity && extras.length > 0) description += ` If there is time, make room for ${listOf(extras)}.`;
    return {
      ...times[index]!,
      title,
      description: clip(description, 600),
      place: placeOf(entry, values),
      location: stops[index]!.location,
      category: entry.idea.category,
      cost,
    };
  });
  const mainPlaces = [...new Set(planned.filter((entry) => !isMeal(entry)).map((entry) => placeOf(entry, values)))];
  const mealPlaces = planned.filter(isMeal).map((entry) => placeOf(entry, values));
  const highlights = [...mainPlaces, ...mealPlaces].slice(0, Math.max(2, Math.min(4, mainPlaces.length)));
  return { area: area.name, theme: themeOf(themes, area.name), activities, highlights };
}
