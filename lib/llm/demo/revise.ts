import { ACTIVITIES_PER_DAY, type Pace } from "@/lib/domain/constants";
import { minutesOf, timelineProblem, type Activity, type Coordinates, type DayPlan } from "@/lib/domain/trip";
import type { ReviseDayTask } from "../prompts";
import { tripKey } from "./day-plan";
import { findDestination } from "./gazetteer";
import { pointFrom, travelBetween } from "./geo";
import { INTEREST_IDEAS, type Idea } from "./ideas";
import { interestCycle, interestNote } from "./interests";
import { isMealTitle } from "./meals";
import { localPrice } from "./money";
import { scheduleDay, type Block, type Stop } from "./schedule";
import { clip, fill, hash } from "./wording";

// The demo model's revision of a day: the traveller's instruction, read for the few wishes
// people usually have — a slower day, more food, no museums, a museum swapped for a food
// market, one more thing to do — and applied to the day's current plan. The plan is then
// timed again like a fresh day (meals at meal times, travel between stops, nothing past
// midnight). The day keeps its theme, its prices stay in the trip's currency, and no stop
// takes a place another day has. Words it does not understand get a light change (the stops
// put in a better order), never an error.

/** What the instruction asks for, as far as the demo understands it. */
export interface RevisionWishes {
  relaxed: boolean;
  food: boolean;
  /** Prefer a market when adding food ("a food market"). */
  market: boolean;
  noMuseums: boolean;
  /** "Swap the museum for a food market": the museum goes, a food stop takes its slot. */
  museumForFood: boolean;
  more: boolean;
}

const RELAXED = /\b(relax(ed|ing)?|slow(er|ly)?|less (packed|busy|rushed|hectic|crammed|full)|fewer(?! museums?)|calm(er)?|lighter|easier|gentler|chill(ed)?|rest(ful)?|breather|lie-in|sleep in|unhurried|take it easy|not so (busy|packed|rushed))\b/;
const FOOD = /\b(more (food|eating|to eat|snacks?|meals?)|food (market|stop|tour|hall)|foodie|eat(ing)? more|street food|tasting|snacks?|hungry|a (produce )?market|markets)\b/;
const MUSEUM = /\bmuseums?\b/;
const NO_MUSEUMS = /\b(no|skip(ping)?|without|avoid(ing)?|drop(ping)?|remove|removing|cut|lose|fewer|less|not? (any|more)|hate|instead of)\b[^.]*\bmuseums?\b|\bmuseums?\b[^.]*\b(out|free|no thanks|not for (me|us))\b/;
const SWAP = /\b(swap|switch|replace|trade|exchange|change|turn)\b[^.]*\bmuseums?\b[^.]*\b(for|with|into|to)\b[^.]*\b(food|market|eat(ing)?)\b/;
const MORE = /\b(more active|active|packed|busier|fuller|more (things|activities|to do|stops|sights|sightseeing)|add (an|one|another|a) (activity|stop|thing)|another (activity|stop)|more)\b/;

/** Reads the instruction (English, lower case) for the wishes the demo knows. */
export function readInstruction(instruction: string): RevisionWishes {
  const text = instruction.toLowerCase().replace(/[’']/g, "'").replace(/\s+/g, " ");
  const museumForFood = SWAP.test(text);
  const noMuseums = !museumForFood && NO_MUSEUMS.test(text);
  const relaxed = RELAXED.test(text);
  const food = !museumForFood && FOOD.test(text.replace(NO_MUSEUMS, ""));
  // "More" on its own means one more activity, unless it is "more relaxed", "more food"…
  const rest = text.replace(SWAP, "").replace(NO_MUSEUMS, "").replace(RELAXED, "").replace(FOOD, "").replace(/\bmore (time|room|space|breaks?)\b/g, "");
  const more = !relaxed && MORE.test(rest) && !/\b(less|fewer)\b/.test(rest);
  return { relaxed, food, market: /\bmarkets?\b/.test(text), noMuseums, museumForFood, more };
}

interface Values extends Record<string, string> {
  city: string;
  area: string;
}

/** A stop of the day being revised: its activity (times to be worked out again) and block. */
interface Draft {
  activity: Omit<Activity, "startTime" | "durationMinutes" | "travelFromPrevious">;
  block: Block;
  minutes: number;
  early: boolean;
}

const isMeal = (draft: Draft) => draft.block === "lunch" || draft.block === "dinner";
const textOf = (activity: Pick<Activity, "title" | "place" | "description">) =>
  `${activity.title} ${activity.place} ${activity.description}`.toLowerCase();
/** A museum, by what the stop is called, where it is or what it says. */
export const isMuseum = (activity: Pick<Activity, "title" | "place" | "description">) => MUSEUM.test(textOf(activity));

const EARLY = /\b(breakfast|golden-hour|before the crowds|sunrise)\b/i;

/** The day's activities as blocks around lunch and dinner (found by title, or by time). */
function draftsOf(current: DayPlan): Draft[] {
  const mealOf = (activity: Activity): "lunch" | "dinner" | null => {
    if (isMealTitle(activity.title)) return activity.title.startsWith("Lunch") ? "lunch" : "dinner";
    if (activity.category !== "food") return null;
    if (/\blunch\b/i.test(activity.title)) return "lunch";
    if (/\b(dinner|supper)\b/i.test(activity.title)) return "dinner";
    return null;
  };
  let seenLunch = false;
  let seenDinner = false;
  let last: Block = "morning";
  const order: Block[] = ["morning", "lunch", "afternoon", "dinner", "evening"];
  return current.activities.map((activity, index) => {
    const meal = mealOf(activity);
    let block: Block;
    if (meal === "lunch" && !seenLunch && !seenDinner) {
      seenLunch = true;
      block = "lunch";
    } else if (meal === "dinner" && !seenDinner) {
      seenDinner = true;
      block = "dinner";
    } else if (seenDinner) block = "evening";
    else if (seenLunch) block = "afternoon";
    else {
      const start = minutesOf(activity.startTime);
      block = start < 12 * 60 ? "morning" : start < 18 * 60 ? "afternoon" : "evening";
    }
    // Blocks only move forward through the day.
    if (order.indexOf(block) < order.indexOf(last)) block = last === "lunch" ? "afternoon" : last === "dinner" ? "evening" : last;
    last = block;
    const { title, description, place, location, category, cost } = activity;
    return {
      activity: { title, description, place, location, category, cost },
      block,
      minutes: activity.durationMinutes,
      early: index === 0 && EARLY.test(title),
    };
  });
}

/** About how many minutes each block has for its activities, travel included. */
const BLOCK_MINUTES: Partial<Record<Block, number>> = { morning: 225, afternoon: 315, evening: 180 };

function roomIn(drafts: readonly Draft[], block: Block): number {
  const used = drafts.filter((draft) => draft.block === block).reduce((sum, draft) => sum + draft.minutes + 30, 0);
  return (BLOCK_MINUTES[block] ?? 0) - used;
}

/** Where a new stop goes: right after the last stop of its block, or where that block begins. */
function insertAt(drafts: readonly Draft[], draft: Draft): Draft[] {
  const order: Block[] = ["morning", "lunch", "afternoon", "dinner", "evening"];
  const rank = order.indexOf(draft.block);
  const after = drafts.findLastIndex((other) => order.indexOf(other.block) <= rank);
  return [...drafts.slice(0, after + 1), draft, ...drafts.slice(after + 1)];
}

/** Everything the revision must steer clear of: other days' places, and this day's own. */
interface Taken {
  places: Set<string>;
  titles: Set<string>;
}

function takenBy(task: ReviseDayTask, drafts: readonly Draft[]): Taken {
  const places = new Set(task.otherDays.flatMap((other) => [...other.places, ...other.highlights]).map((place) => place.toLowerCase()));
  for (const draft of drafts) places.add(draft.activity.place.toLowerCase());
  return { places, titles: new Set(drafts.map((draft) => draft.activity.title.toLowerCase())) };
}

/** Whether the idea (its kind of place, in any area) is already somewhere in the trip. */
function used(idea: Idea, values: Values, taken: Taken): boolean {
  const kind = fill(idea.place, values).toLowerCase();
  const title = clip(fill(idea.title, values), 120).toLowerCase();
  if (taken.titles.has(title)) return true;
  for (const place of taken.places) if (place === kind || place.startsWith(`${kind},`)) return true;
  return false;
}

/** A stop a little way from `near` (or unplaced, when the day's stops are). */
function locationNear(near: Coordinates | null, seed: string): Coordinates | null {
  if (!near) return null;
  const value = hash(seed);
  return pointFrom(near, value % 360, 0.3 + ((value >>> 9) % 70) / 100);
}

interface Context {
  task: ReviseDayTask;
  values: Values;
  currency: string;
  seed: string;
}

function draftFrom(idea: Idea, block: Block, labels: readonly string[], near: Coordinates | null, { task, values, currency, seed }: Context): Draft {
  const title = clip(fill(idea.title, values), 120);
  let description = fill(idea.description, values);
  description += interestNote(`${title} ${description}`, labels);
  const cost = localPrice(idea.usd, currency, task.trip.budget);
  return {
    activity: {
      title,
      description: clip(description, 600),
      place: clip(`${fill(idea.place, values)}, ${values.area}`, 160),
      location: locationNear(near, `${seed}#${title}`),
      category: idea.category,
      cost,
    },
    block,
    minutes: idea.minutes,
    early: false,
  };
}

/** A point among the day's stops to put a new one near: the stop it follows, or any placed one. */
function anchor(drafts: readonly Draft[], index: number): Coordinates | null {
  for (let offset = 0; offset < drafts.length; offset += 1) {
    const before = drafts[index - offset]?.activity.location;
    if (before) return before;
    const after = drafts[index + offset]?.activity.location;
    if (after) return after;
  }
  return null;
}

const FOOD_STOPS: Idea[] = [
  ...INTEREST_IDEAS.markets!.filter((idea) => idea.category === "food"),
  ...INTEREST_IDEAS.food!,
  { title: "A food market in {area}", place: "A neighbourhood food market", category: "food", minutes: 75, usd: 12, description: "Stalls of local produce and ready-to-eat snacks: taste your way round and ask what is in season." },
  { title: "Snacks and a tasting in {area}", place: "A snack bar locals swear by", category: "food", minutes: 60, usd: 10, description: "A short stop for the snacks {area} is known for, with something local to drink." },
  { title: "Sweet break in {area}", place: "A pastry shop", category: "food", minutes: 45, usd: 8, description: "Coffee or tea and a local sweet: a pause that counts as research." },
];

const ACTIVITY_STOPS: Idea[] = [
  { title: "Side streets of {area}", place: "The lanes behind the main street", category: "sightseeing", minutes: 75, usd: 0, description: "Leave the main street for the lanes behind it: small shops, courtyards and daily life in {area}." },
  { title: "A viewpoint over {area}", place: "A small viewpoint", category: "sightseeing", minutes: 45, usd: 0, description: "A few minutes' climb for a view across {area} and the rest of {city}." },
  { title: "A quiet garden in {area}", place: "A pocket garden", category: "relaxation", minutes: 45, usd: 0, description: "A bench in the shade and a break from the streets of {area}." },
  { title: "Browsing the shops of {area}", place: "The neighbourhood's own shops", category: "shopping", minutes: 60, usd: 10, description: "Independent shops selling what people in {area} actually buy." },
];

/** Ideas from the traveller's interests (then the city's essentials), in a per-day order. */
function interestIdeas(task: ReviseDayTask, seed: string): Array<{ idea: Idea; labels: string[] }> {
  const { cycle } = interestCycle(task.trip.interests);
  const lists = cycle.map((entry) => {
    const ideas = [...entry.ideas, ...entry.fallbacks];
    const shift = hash(`${seed}#${entry.key}`) % Math.max(1, entry.ideas.length);
    return [...ideas.slice(shift), ...ideas.slice(0, shift)].map((idea) => ({ idea, labels: entry.labels }));
  });
  const longest = Math.max(0, ...lists.map((list) => list.length));
  // The interests in turn, so a change draws on each of them before repeating one.
  return Array.from({ length: longest }, (_, index) => lists.flatMap((list) => (list[index] ? [list[index]] : []))).flat();
}

/** The first idea that suits: not used in the trip, and passing `fits`. */
function choose(
  candidates: ReadonlyArray<{ idea: Idea; labels: readonly string[] }>,
  values: Values,
  taken: Taken,
  fits: (idea: Idea) => boolean,
): { idea: Idea; labels: readonly string[] } | null {
  return candidates.find(({ idea }) => fits(idea) && !used(idea, values, taken)) ?? null;
}

function take(taken: Taken, draft: Draft): void {
  taken.places.add(draft.activity.place.toLowerCase());
  taken.titles.add(draft.activity.title.toLowerCase());
}

/** A stop in place of the one at `index` (a museum, another day's place), from the traveller's interests. */
function replacement(drafts: readonly Draft[], index: number, context: Context, taken: Taken, fits: (idea: Idea) => boolean): Draft {
  const old = drafts[index]!;
  const evening = old.block === "evening";
  const candidates = [
    ...interestIdeas(context.task, context.seed),
    ...ACTIVITY_STOPS.map((idea) => ({ idea, labels: [] })),
  ];
  const chosen =
    choose(candidates, context.values, taken, (idea) => fits(idea) && Boolean(idea.evening) === evening) ??
    choose(candidates, context.values, taken, fits) ?? {
      idea: { title: `Free time in {area} (${index + 1})`, place: `Free time ${index + 1}`, category: "relaxation", minutes: 60, usd: 0, description: "An open hour to follow your nose around {area}." },
      labels: [],
    };
  const draft = draftFrom(chosen.idea, old.block, chosen.labels, old.activity.location ?? anchor(drafts, index), context);
  take(taken, draft);
  return { ...draft, activity: { ...draft.activity, location: old.activity.location ?? draft.activity.location } };
}

const notMuseum = (idea: Idea) => !isMuseum(idea);
const notFood = (idea: Idea) => idea.category !== "food";

/** Which non-meal stop to let go of: not a highlight, in the fullest block, the later the better. */
function leastNeeded(drafts: readonly Draft[], highlights: readonly string[], spare: (draft: Draft) => boolean = () => true): number {
  let best = -1;
  let bestScore = -Infinity;
  drafts.forEach((draft, index) => {
    if (isMeal(draft) || !spare(draft)) return;
    const inBlock = drafts.filter((other) => other.block === draft.block).length;
    const score = (highlights.includes(draft.activity.place) ? -100 : 0) + inBlock * 10 + index;
    if (score > bestScore) {
      bestScore = score;
      best = index;
    }
  });
  return best;
}

/** A new food stop: where a block has room for it, or in place of a stop that is not a meal. */
function withFoodStop(drafts: Draft[], context: Context, taken: Taken, { market, instead }: { market: boolean; instead?: number }): Draft[] {
  const ordered = market ? FOOD_STOPS : [...FOOD_STOPS.slice(INTEREST_IDEAS.markets!.filter((idea) => idea.category === "food").length), ...FOOD_STOPS];
  const candidates = ordered.map((idea) => ({ idea, labels: [] as string[] }));
  if (instead !== undefined && instead >= 0) {
    const old = drafts[instead]!;
    const evening = old.block === "evening";
    const chosen =
      choose(candidates, context.values, taken, (idea) => Boolean(idea.evening) === evening && !idea.morning) ??
      choose(candidates, context.values, taken, () => true)!;
    const draft = draftFrom(chosen.idea, old.block, chosen.labels, old.activity.location ?? anchor(drafts, instead), context);
    take(taken, draft);
    return drafts.with(instead, { ...draft, activity: { ...draft.activity, location: old.activity.location ?? draft.activity.location } });
  }
  const blocks: Block[] = (["afternoon", "morning", "evening"] as const).filter((block) => block !== "evening" || drafts.some((draft) => draft.block === "dinner"));
  const roomiest = [...blocks].sort((a, b) => roomIn(drafts, b) - roomIn(drafts, a))[0] ?? "afternoon";
  const room = roomIn(drafts, roomiest);
  if (drafts.length < 10 && room >= 45) {
    const chosen =
      choose(candidates, context.values, taken, (idea) => Boolean(idea.evening) === (roomiest === "evening") && (!idea.morning || roomiest === "morning") && idea.minutes <= room) ??
      choose(candidates, context.values, taken, (idea) => !idea.evening && !idea.morning)!;
    const draft = draftFrom(chosen.idea, roomiest, [], null, context);
    const placed = insertAt(drafts, draft);
    const index = placed.indexOf(draft);
    const near = anchor(placed, index - 1 >= 0 ? index - 1 : index + 1);
    take(taken, draft);
    return placed.with(index, { ...draft, minutes: Math.min(draft.minutes, Math.max(45, room)), activity: { ...draft.activity, location: locationNear(near, `${context.seed}#food`) } });
  }
  // No room: the least needed stop that is not food already makes way (any stop, if all are).
  const swap = leastNeeded(drafts, context.task.highlights, (draft) => draft.activity.category !== "food");
  const fallback = swap >= 0 ? swap : leastNeeded(drafts, context.task.highlights);
  if (fallback >= 0) return withFoodStop(drafts, context, taken, { market, instead: fallback });
  return drafts;
}

/** One more thing to do, from the traveller's interests, where the day has most room. */
function withOneMore(drafts: Draft[], context: Context, taken: Taken, fits: (idea: Idea) => boolean): Draft[] {
  if (drafts.length >= 10) return drafts;
  const hasDinner = drafts.some((draft) => draft.block === "dinner");
  const eveningCount = drafts.filter((draft) => draft.block === "evening").length;
  const blocks = (["morning", "afternoon"] as Block[]).concat(hasDinner && eveningCount < 2 ? ["evening"] : []);
  const roomiest = [...blocks].sort((a, b) => roomIn(drafts, b) - roomIn(drafts, a))[0]!;
  const candidates = [...interestIdeas(context.task, context.seed), ...ACTIVITY_STOPS.map((idea) => ({ idea, labels: [] }))];
  const chosen =
    choose(candidates, context.values, taken, (idea) => fits(idea) && Boolean(idea.evening) === (roomiest === "evening") && !idea.morning) ??
    choose(candidates, context.values, taken, (idea) => fits(idea) && !idea.evening && !idea.morning);
  if (!chosen) return drafts;
  const block = chosen.idea.evening && hasDinner ? "evening" : roomiest === "evening" ? "afternoon" : roomiest;
  const draft = draftFrom(chosen.idea, block, chosen.labels, null, context);
  const placed = insertAt(drafts, draft);
  const index = placed.indexOf(draft);
  take(taken, draft);
  return placed.with(index, { ...draft, activity: { ...draft.activity, location: locationNear(anchor(placed, Math.max(0, index - 1)), `${context.seed}#more`) } });
}

/** A slower day: one or two fewer activities (meals stay), and more time for each of the rest. */
function relaxedDay(drafts: Draft[], highlights: readonly string[]): Draft[] {
  const others = drafts.filter((draft) => !isMeal(draft)).length;
  const drop = others >= 4 ? 2 : others >= 2 ? 1 : 0;
  let result = drafts;
  for (let count = 0; count < drop; count += 1) {
    const index = leastNeeded(result, highlights);
    if (index >= 0) result = result.filter((_, position) => position !== index);
  }
  return result.map((draft) =>
    isMeal(draft) ? draft : { ...draft, minutes: Math.min(240, Math.ceil((draft.minutes * 1.3) / 15) * 15), early: false },
  );
}

const TIPS = [
  "Check the opening hours on the day: they change with the season.",
  "Going early beats the queues here.",
  "Ask at the door about combined or discounted tickets.",
  "Good shoes: the streets around here are best seen on foot.",
  "Keep a little cash for small purchases.",
];

/** Words the demo does not understand: the same stops, a block's order turned round (or a tip for each stop). */
function lightTouch(drafts: Draft[], seed: string): Draft[] {
  const reordered = reorderedBlock(drafts, seed);
  if (reordered !== drafts) return reordered;
  return drafts.map((draft, index) => {
    if (isMeal(draft)) return draft;
    const tip = TIPS[(hash(seed) + index) % TIPS.length]!;
    const { description } = draft.activity;
    return description.includes(tip) ? draft : { ...draft, activity: { ...draft.activity, description: clip(`${description} ${tip}`, 600) } };
  });
}

function reorderedBlock(drafts: Draft[], seed: string): Draft[] {
  const blocks: Block[] = ["morning", "afternoon", "evening"];
  const start = hash(seed) % blocks.length;
  for (let offset = 0; offset < blocks.length; offset += 1) {
    const block = blocks[(start + offset) % blocks.length]!;
    const positions = drafts.flatMap((draft, index) => (draft.block === block ? [index] : []));
    if (positions.length < 2) continue;
    const reversed = positions.map((position) => drafts[position]!).reverse();
    return drafts.map((draft, index) => {
      const at = positions.indexOf(index);
      return at < 0 ? draft : { ...reversed[at]!, early: false };
    });
  }
  return drafts;
}

const at15 = (minutes: number) => Math.ceil(minutes / 15) * 15;
const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** Times for the stops: like a fresh demo day, or (should that not hold) one after another from 8:00. */
function timed(drafts: readonly Draft[], pace: Pace, budget: ReviseDayTask["trip"]["budget"]): Activity[] {
  const stops: Stop[] = drafts.map((draft) => ({ block: draft.block, minutes: draft.minutes, early: draft.early, location: draft.activity.location }));
  const times = scheduleDay(stops, pace, budget);
  const activities = drafts.map((draft, index) => ({ ...times[index]!, ...draft.activity }));
  if (timelineProblem(activities) === null) return activities;
  // A crowded day: everything in a row from 8:00, each stop shortened as much as it takes.
  const travels = drafts.map((draft, index) => (index === 0 ? null : travelBetween(drafts[index - 1]!.activity.location, draft.activity.location)));
  const moving = travels.reduce((sum, travel) => sum + (travel?.minutes ?? 0) + 15, 0);
  const wanted = drafts.reduce((sum, draft) => sum + draft.minutes, 0);
  const scale = Math.min(1, Math.max(0, 24 * 60 - 8 * 60 - 30 - moving) / wanted);
  let previousEnd = 8 * 60;
  return drafts.map((draft, index) => {
    const travel = travels[index] ?? null;
    const start = Math.min(index === 0 ? previousEnd : at15(previousEnd + (travel?.minutes ?? 0)), 24 * 60 - 15);
    const minutes = Math.max(15, Math.min(Math.floor((draft.minutes * scale) / 15) * 15, 24 * 60 - start));
    previousEnd = start + minutes;
    return { ...draft.activity, startTime: clock(start), durationMinutes: minutes, travelFromPrevious: travel };
  });
}

export function demoRevision(task: ReviseDayTask): DayPlan {
  const { current, day, trip, instruction } = task;
  const found = findDestination(trip.destination);
  const currency = task.currency ?? current.activities[0]?.cost.currency ?? found.currency;
  const values: Values = { city: found.name, area: task.area ?? found.name };
  const seed = `${tripKey(trip)}#${day}#${instruction}`;
  const context: Context = { task, values, currency, seed };
  const wishes = readInstruction(instruction);

  let drafts = draftsOf(current);
  const taken = takenBy(task, []);
  for (const draft of drafts) taken.titles.add(draft.activity.title.toLowerCase());
  // No stop may take another day's place (a plan written before that day changed could).
  const others = new Set(task.otherDays.flatMap((other) => [...other.places, ...other.highlights]).map((place) => place.toLowerCase()));
  for (const draft of drafts) taken.places.add(draft.activity.place.toLowerCase());
  drafts = drafts.map((draft, index) =>
    !isMeal(draft) && others.has(draft.activity.place.toLowerCase()) ? replacement(drafts, index, context, taken, notMuseum) : draft,
  );

  const fits = wishes.noMuseums ? notMuseum : () => true;
  let changed = false;
  if (wishes.museumForFood) {
    const museum = drafts.findIndex((draft) => !isMeal(draft) && isMuseum(draft.activity));
    drafts = withFoodStop(drafts, context, taken, { market: true, ...(museum >= 0 ? { instead: museum } : {}) });
    changed = true;
  }
  if (wishes.noMuseums) {
    for (const [index, draft] of drafts.entries()) {
      if (!isMuseum(draft.activity)) continue;
      // A meal at a museum café becomes a meal elsewhere; anything else, something else to do.
      drafts = isMeal(draft)
        ? withFoodStop(drafts, context, taken, { market: false, instead: index })
        : drafts.with(index, replacement(drafts, index, context, taken, (idea) => notMuseum(idea) && notFood(idea)));
    }
    changed = true;
  }
  if (wishes.relaxed) {
    drafts = relaxedDay(drafts, task.highlights);
    changed = true;
  }
  if (wishes.food) {
    drafts = withFoodStop(drafts, context, taken, { market: wishes.market });
    changed = true;
  }
  if (wishes.more) {
    drafts = withOneMore(drafts, context, taken, (idea) => fits(idea) && notFood(idea));
    changed = true;
  }
  if (!changed) drafts = lightTouch(drafts, seed);

  const pace: Pace = wishes.relaxed ? "relaxed" : wishes.more && trip.pace !== "packed" ? "packed" : trip.pace;
  const tooMany = drafts.filter((draft) => !isMeal(draft)).length > ACTIVITIES_PER_DAY.packed.max + 1 ? "packed" : pace;
  return { day, theme: current.theme || task.theme, activities: timed(drafts, tooMany, trip.budget) };
}
