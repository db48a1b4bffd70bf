import type { Outline } from "@/lib/domain/trip";
import { dayPrompt, parsePromptTask, type DayTask, type TripData } from "@/lib/llm/prompts";

/** The task the day prompt gives the model for `day`, exactly as Itinera builds it. */
export function dayTaskFor(trip: TripData, outline: Outline, day: number): DayTask {
  const task = parsePromptTask(dayPrompt(trip, outline, day));
  if (task?.task !== "day") throw new Error("the day prompt carries no day task");
  return task;
}
