import "server-only";
import { NonRetriableError } from "inngest";
import { endItinerary, findItineraryById, listDayRows } from "@/lib/db/queries/itineraries";
import { completeFromStoredDays, findDayStepState, saveDay, saveOutline, saveOutlineDetails } from "@/lib/db/queries/progress";
import type { ItineraryRow } from "@/lib/db/schema";
import { ZERO_USAGE, type DayPlan, type TokenUsage } from "@/lib/domain/trip";
import type { PreviewPart } from "@/lib/domain/preview";
import { notifyItineraryChanged } from "@/lib/live/changes";
import { endPreview, publishPreview } from "@/lib/live/previews";
import { LlmCallError, toStepError } from "@/lib/llm/errors";
import { generateDayPlan, generateOutline, generateOutlineDetails, type OnPartial } from "@/lib/llm/generate";
import { currentStep } from "@/lib/step-context";
import { untilDatabaseAnswers } from "./outage";

// The bodies of the generation steps. Each is safe to run again: it first looks for the
// work it would do (an outline, a day row) and returns that instead of calling the model
// twice. Each write that lands is announced to live watchers.

/** Thrown when a step finds its job no longer processing (cancelled, failed or deleted). */
export class JobNotActiveError extends NonRetriableError {
  constructor(id: string, status: string) {
    super(`Itinerary ${id} is ${status}; nothing more to do.`);
    this.name = "JobNotActiveError";
  }
}

function requireActive(id: string, job: ItineraryRow | null): ItineraryRow {
  if (!job) throw new JobNotActiveError(id, "deleted");
  if (job.status !== "processing") throw new JobNotActiveError(id, job.status);
  return job;
}

async function requireActiveJob(id: string): Promise<ItineraryRow> {
  return requireActive(id, await findItineraryById({ id }));
}

/**
 * Calls the model for one part of job `id`, pushing what it writes to watchers as previews.
 * A failed call withdraws its preview; a successful one leaves it until `landed` is called,
 * after the result is stored and announced, so watchers never see the part vanish.
 */
export async function callModel<T>(
  id: string,
  part: PreviewPart,
  day: number | null,
  call: (onPartial: OnPartial) => Promise<T>,
): Promise<{ value: T; landed: () => void }> {
  const preview = { part, day, attempt: currentStep()?.attempt ?? 1 };
  try {
    const value = await call((partial) => publishPreview(id, { ...preview, value: partial }));
    return { value, landed: () => endPreview(id, preview, { withdraw: false }) };
  } catch (error) {
    endPreview(id, preview, { withdraw: true });
    // Our own checks of an answer already say what went wrong.
    throw error instanceof LlmCallError ? error : toStepError(error);
  }
}

/**
 * The IANA time zone the model named, if this runtime knows it (current names such as
 * Asia/Kolkata included: Intl.supportedValuesOf lists only the canonical, sometimes older,
 * spellings), else null: the model may be unsure or wrong.
 */
export function knownTimeZone(zone: string | null): string | null {
  if (zone === null) return null;
  if (Intl.supportedValuesOf("timeZone").includes(zone)) return zone;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(zone) ? zone : null;
  } catch {
    return null;
  }
}

export interface OutlineStepResult {
  days: number[];
  usage: TokenUsage;
  /** Set when the job had already ended (a duplicate delivery, a cancel): nothing to do. */
  endedAs?: string;
}

const fromStoredOutline = (job: ItineraryRow): OutlineStepResult => ({
  days: job.outline?.days.map((entry) => entry.day) ?? [],
  usage: job.usage ?? ZERO_USAGE,
});

export async function planOutline(id: string): Promise<OutlineStepResult> {
  const job = await findItineraryById({ id });
  if (!job) return { days: [], usage: ZERO_USAGE, endedAs: "deleted" };
  if (job.status !== "processing") return { days: [], usage: ZERO_USAGE, endedAs: job.status };
  if (job.outline) return fromStoredOutline(job);
  const {
    value: { value, usage },
    landed,
  } = await callModel(id, "outline", null, (onPartial) => generateOutline(job, onPartial));
  // The model numbers the days; we insist on exactly 1…N so every day step has a theme.
  const byNumber = new Map(value.days.map((entry) => [entry.day, entry]));
  const days = Array.from({ length: job.durationDays }, (_, index) => {
    const entry = byNumber.get(index + 1) ?? value.days[index];
    return {
      day: index + 1,
      theme: entry?.theme ?? `Day ${index + 1}`,
      area: entry?.area ?? job.destination,
      highlights: entry?.highlights ?? [],
    };
  });
  const outline = { ...value, days };
  const saved = await untilDatabaseAnswers(() => saveOutline({ id, outline, usage }));
  landed();
  if (!saved) {
    // Another run stored its outline first (use that one), or the job ended meanwhile.
    return fromStoredOutline(await requireActiveJob(id));
  }
  notifyItineraryChanged(id);
  return { days: days.map((entry) => entry.day), usage };
}

export interface DetailsStepResult {
  usage: TokenUsage;
}

/**
 * The rest of the outline (summary, tips, time zone, centre), written beside the days: the
 * days need only the skeleton. Runs once the skeleton is stored.
 */
export async function planOutlineDetails(id: string): Promise<DetailsStepResult> {
  const job = requireActive(id, await findItineraryById({ id }));
  const skeleton = job.outline;
  if (!skeleton) throw new NonRetriableError(`Itinerary ${id} has no outline to complete.`);
  // Written by an earlier run (or stored whole, before outlines came in two parts).
  if (skeleton.summary !== undefined) return { usage: ZERO_USAGE };
  const {
    value: { value, usage },
    landed,
  } = await callModel(id, "details", null, (onPartial) => generateOutlineDetails(job, skeleton, onPartial));
  const details = { ...value, timeZone: knownTimeZone(value.timeZone) };
  const saved = await untilDatabaseAnswers(() => saveOutlineDetails({ id, details, usage }));
  if (saved) notifyItineraryChanged(id);
  landed();
  if (!saved) {
    // Another run stored them first, or the job ended meanwhile.
    const now = requireActive(id, await findItineraryById({ id }));
    if (now.outline?.summary === undefined) throw new JobNotActiveError(id, "no longer processing");
  }
  return { usage };
}

/** Costs add up only in one currency: a day priced in another is a wrong answer, retried like one. */
export function requireCurrency(plan: DayPlan, currency: string): void {
  const foreign = plan.activities.find((activity) => activity.cost.currency !== currency);
  if (foreign) {
    throw new LlmCallError(`The language model priced day ${plan.day} in ${foreign.cost.currency} instead of ${currency}.`);
  }
}

export interface DayStepResult {
  day: number;
  usage: TokenUsage;
}

export async function planDay(id: string, day: number): Promise<DayStepResult> {
  const state = await findDayStepState({ id, day });
  if (state.stored) return { day, usage: state.stored.usage ?? ZERO_USAGE };
  const job = requireActive(id, state.job);
  if (!job.outline) throw new NonRetriableError(`Itinerary ${id} has no outline for day ${day}.`);
  const outline = job.outline;
  const {
    value: { value, usage },
    landed,
  } = await callModel(id, "day", day, async (onPartial) => {
    const answer = await generateDayPlan(job, outline, day, onPartial);
    requireCurrency(answer.value, outline.currency);
    return answer;
  });
  const theme = outline.days.find((entry) => entry.day === day)?.theme ?? value.theme;
  const saved = await untilDatabaseAnswers(() => saveDay({ id, plan: { ...value, day, theme }, usage }));
  if (saved) notifyItineraryChanged(id);
  landed();
  if (!saved) throw new JobNotActiveError(id, "no longer processing");
  return { day, usage };
}

export async function finalizeItinerary(id: string, usage: TokenUsage): Promise<{ days: number }> {
  // One statement in the usual case; the reads below only say why it did not complete.
  const completedDays = await untilDatabaseAnswers(() => completeFromStoredDays({ id, usage }));
  if (completedDays !== null) {
    notifyItineraryChanged(id);
    return { days: completedDays };
  }
  const job = await findItineraryById({ id });
  // Run again after it succeeded (a lost checkpoint): the same answer, so the steps after
  // it (the completion webhook) still run.
  if (job?.status === "completed" && job.itinerary) return { days: job.itinerary.length };
  const active = requireActive(id, job);
  const rows = await listDayRows({ itineraryId: id });
  const missing = Array.from({ length: active.durationDays }, (_, index) => index + 1).filter(
    (day) => !rows.some((row) => row.day === day),
  );
  if (missing.length > 0) {
    throw new Error(`Days ${missing.join(", ")} are missing; cannot finish the itinerary yet.`);
  }
  throw new JobNotActiveError(id, "no longer processing");
}

const RETRIED_ERROR_NAMES = new Set(["RetryAfterError", "LlmCallError"]);

/** What a person sees when a job fails: our own messages pass, anything else is hidden. */
export function failureMessage(error: unknown, doing = "generating this itinerary"): string {
  if (error instanceof Error && error.message) {
    if (error.name === "NonRetriableError") return error.message;
    if (RETRIED_ERROR_NAMES.has(error.name)) {
      return `${error.message} We tried several times and gave up; please try again later.`;
    }
  }
  return `Something went wrong while ${doing}. Please try again.`;
}

/** The failure handler both runners call once a job has used up its attempts. */
export async function markItineraryFailed(id: string, error: unknown): Promise<boolean> {
  if (error instanceof JobNotActiveError || (error instanceof Error && error.name === "JobNotActiveError")) {
    return false;
  }
  // The failure handler's own write waits out an outage too, or the job stays processing.
  const failed = await untilDatabaseAnswers(() => endItinerary({ id, status: "failed", error: failureMessage(error) }));
  if (failed) notifyItineraryChanged(id);
  return failed;
}
