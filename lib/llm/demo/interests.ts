import { ESSENTIALS, INTEREST_IDEAS, INTEREST_SYNONYMS, type Idea } from "./ideas";
import { capitalize, fill } from "./wording";

// The traveller's interests as the demo plans them: each one becomes a list of ideas to draw
// from — the catalogue's list for interests it knows, ideas written around the traveller's
// own words for the rest — plus fallbacks named after the day's area for when a long trip
// has used up a list.

export interface InterestEntry {
  key: string;
  /** What the traveller typed that led here; activities drawn from it mention one of them. */
  labels: string[];
  /** How a day's theme names it. */
  name: string;
  ideas: Idea[];
  /** Ideas whose titles carry "{area}", so they stay unique across days. */
  fallbacks: Idea[];
}

const CUSTOM_IDEAS: Idea[] = [
  { title: "{Label}: where {city} does it best", place: "A well-loved place for {label}", category: "culture", minutes: 120, usd: 15, description: "Ask around and you will be sent here: the place in {city} people recommend for {label}." },
  { title: "Hands-on {label} session", place: "A local studio or club for {label}", category: "culture", minutes: 120, usd: 30, description: "Learn by doing: a short session of {label} with a local who loves it." },
  { title: "{Label} with a local guide", place: "The {label} outing's meeting point", category: "culture", minutes: 150, usd: 35, description: "A small-group outing built around {label}, with a guide who knows the people and places behind it." },
  { title: "{Label} off the beaten path", place: "A quieter corner for {label}", category: "sightseeing", minutes: 90, usd: 0, description: "Skip the obvious and find {label} the way locals enjoy it, in the side streets of {area}." },
  { title: "Unhurried time for {label}", place: "A favourite haunt for {label}", category: "relaxation", minutes: 90, usd: 10, description: "No schedule, just curiosity: give {label} the time it deserves in {area}." },
  { title: "{Label} after dark", place: "An evening venue for {label}", category: "nightlife", minutes: 90, usd: 20, description: "See how {city} enjoys {label} in the evening; ask at your hotel what is on tonight.", evening: true },
];

const FALLBACK_IDEAS: Idea[] = [
  { title: "{Label} in {area}", place: "A spot for {label}", category: "sightseeing", minutes: 90, usd: 10, description: "Another angle on {label}: ask people in {area} for their favourite and go where they send you." },
  { title: "More {label} around {area}", place: "A second address for {label}", category: "culture", minutes: 90, usd: 15, description: "Round two of {label}, in another part of town: {area} has its own take on it." },
  { title: "{Label}, slowly, in {area}", place: "A quiet corner for {label}", category: "relaxation", minutes: 75, usd: 0, description: "Unhurried time for {label} in {area}, with a café break in between." },
  { title: "{Label} with the locals of {area}", place: "A neighbourhood favourite for {label}", category: "culture", minutes: 120, usd: 20, description: "Join the regulars: {label} as the people of {area} enjoy it on an ordinary day." },
  { title: "A last look at {label} in {area}", place: "A final stop for {label}", category: "sightseeing", minutes: 60, usd: 0, description: "One more taste of {label} before moving on, in a corner of {area} you have not seen yet." },
];

function forLabel(ideas: readonly Idea[], label: string): Idea[] {
  const values = { label, Label: capitalize(label), city: "{city}", area: "{area}" };
  return ideas.map((idea) => ({
    ...idea,
    title: fill(idea.title, values),
    place: fill(idea.place, values),
    description: fill(idea.description, values),
  }));
}

/** Lists a trip without those interests still dips into, in turn, after the essentials. */
const BACKBONE = ["history", "food", "art", "nature", "architecture", "markets", "museums", "photography", "shopping"];

/**
 * The trip's backbone, used when there are few interests or none: the city's essentials,
 * then the other lists' ideas in turn — never those of an interest the trip already has,
 * so no idea can come up twice.
 */
function essentialsEntry(taken: ReadonlySet<string>): InterestEntry {
  const lists = BACKBONE.filter((key) => !taken.has(key)).map((key) => INTEREST_IDEAS[key]!.map((idea) => ({ ...idea, source: key })));
  const longest = Math.max(0, ...lists.map((list) => list.length));
  const mixed = Array.from({ length: longest }, (_, index) => lists.flatMap((list) => (list[index] ? [list[index]] : []))).flat();
  return { key: "essentials", labels: [], name: "landmarks and local life", ideas: [...ESSENTIALS, ...mixed], fallbacks: forLabel(FALLBACK_IDEAS, "local life") };
}

const poolKeyOf = (label: string) => {
  const key = label.toLowerCase();
  if (Object.hasOwn(INTEREST_IDEAS, key)) return key;
  return Object.hasOwn(INTEREST_SYNONYMS, key) ? INTEREST_SYNONYMS[key]! : `custom:${key}`;
};

/** Interests in turn; with fewer than three, the city's essentials take a turn too. */
export function interestCycle(interests: readonly string[]): { entries: InterestEntry[]; cycle: InterestEntry[] } {
  const entries = interestEntries(interests);
  if (entries.length >= 3) return { entries, cycle: entries };
  return { entries, cycle: [...entries, essentialsEntry(new Set(entries.map((entry) => entry.key)))] };
}

/** One entry per distinct interest, in the order given; synonyms share an entry. */
function interestEntries(interests: readonly string[]): InterestEntry[] {
  const entries = new Map<string, InterestEntry>();
  for (const raw of interests) {
    const label = raw.trim().replace(/\s+/g, " ");
    if (!label) continue;
    const key = poolKeyOf(label);
    const existing = entries.get(key);
    if (existing) {
      if (!existing.labels.some((known) => known.toLowerCase() === label.toLowerCase())) existing.labels.push(label);
      continue;
    }
    const known = Object.hasOwn(INTEREST_IDEAS, key) ? INTEREST_IDEAS[key] : undefined;
    entries.set(key, {
      key,
      labels: [label],
      name: label.toLowerCase(),
      ideas: known ?? forLabel(CUSTOM_IDEAS, label),
      fallbacks: forLabel(FALLBACK_IDEAS, label),
    });
  }
  return [...entries.values()];
}

/** The sentence that ties an activity to the interests it was chosen for, when its text does not. */
export function interestNote(text: string, labels: readonly string[]): string {
  const lower = text.toLowerCase();
  const missing = labels.filter((label) => !lower.includes(label.toLowerCase()));
  if (missing.length === 0) return "";
  return ` Chosen for your interest in ${missing.join(" and ")}.`;
}
