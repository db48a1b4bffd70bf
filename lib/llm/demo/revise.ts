import type { DayPlan } from "@/lib/domain/trip";
import type { ReviseDayTask } from "../prompts";

// The demo model's revision of a day: the traveller's instruction applied to the day's
// current plan. (First version: the plan as it is.)

export function demoRevision({ current, day }: ReviseDayTask): DayPlan {
  return { ...current, day };
}
