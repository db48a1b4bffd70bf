// Limits and choices shared by the schema (server) and the form (browser). Kept free of
// zod (and of everything else) so client components can import them without shipping the
// validator.

export const MAX_DAYS = 14;
export const MAX_INTERESTS = 10;
export const MAX_TRAVELLERS = 20;

export const PACES = ["relaxed", "balanced", "packed"] as const;
export const BUDGETS = ["budget", "moderate", "luxury"] as const;
export const STATUSES = ["processing", "completed", "failed", "cancelled"] as const;

export type Pace = (typeof PACES)[number];
export type Budget = (typeof BUDGETS)[number];
export type ItineraryStatus = (typeof STATUSES)[number];

/** The states a job ends in; each announces itself with a webhook. */
export const ENDED_STATUSES = ["completed", "failed", "cancelled"] as const;
export type EndedStatus = (typeof ENDED_STATUSES)[number];

/**
 * How many activities a day holds at each pace: the prompt asks for this range, and the
 * status page sizes a day's placeholder for the lower bound so cards land without a jump.
 */
export const ACTIVITIES_PER_DAY: Record<Pace, { min: number; max: number }> = {
  relaxed: { min: 2, max: 3 },
  balanced: { min: 3, max: 4 },
  packed: { min: 4, max: 5 },
};
