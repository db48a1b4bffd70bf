"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { identifyCaller, requireIdentified } from "@/lib/api/caller";
import { toAppError } from "@/lib/api/http";
import { presentItinerary } from "@/lib/domain/presenter";
import type { ItineraryResource } from "@/lib/domain/resource";
import { AppError } from "@/lib/errors";
import { removeActivity, requestRevision, undoRevision } from "@/lib/itineraries/revisions";
import type { ItineraryWithDays } from "@/lib/itineraries/reads";

// Changing a day from the trip page: revise it in words, undo the last change, remove a
// stop. The owner is the browser's owner cookie (lib/api/caller.ts), as for the API; to
// anyone else the trip is "not found". `runDayCommand` is what the page calls with
// JavaScript (it answers with the trip as it is now, for the page to follow live);
// `dayCommandForm` is the forms' own action without JavaScript: it redirects back to the
// trip page, which shows the day as the server has it.

export type DayCommand =
  | { kind: "revise"; id: string; day: number; instruction: string }
  | { kind: "undo"; id: string; day: number }
  | { kind: "remove"; id: string; day: number; index: number };

export type DayCommandResult = { ok: true; itinerary: ItineraryResource } | { ok: false; message: string };

/** What a day's forms show after a submission without JavaScript that did not go through. */
export interface DayFormState {
  message: string | null;
  /** What was typed, kept for another go. */
  instruction: string;
}

async function perform(command: DayCommand): Promise<ItineraryWithDays> {
  const caller = await identifyCaller(await headers());
  requireIdentified(caller);
  const id = String(command.id);
  switch (command.kind) {
    case "revise":
      return (await requestRevision(id, command.day, { instruction: command.instruction }, { idempotencyKey: null, caller })).found;
    case "undo":
      return undoRevision(id, command.day, caller);
    case "remove":
      return removeActivity(id, command.day, command.index, caller);
    default:
      throw new AppError("bad_request", "That change could not be made.");
  }
}

/** The error in a traveller's words: a field's own message when the instruction was refused. */
function messageOf(error: unknown): string {
  const appError = toAppError(error);
  return appError.details?.fields?.instruction?.[0] ?? appError.message;
}

export async function runDayCommand(command: DayCommand): Promise<DayCommandResult> {
  try {
    const found = await perform(command);
    return { ok: true, itinerary: presentItinerary(found.job, found.days) };
  } catch (error) {
    return { ok: false, message: messageOf(error) };
  }
}

const field = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
};

/**
 * A day's forms: `command` is "revise" (with `instruction`), "undo" or "remove:<index>";
 * `id` and `day` say which day. Redirects back to the day on success.
 */
export async function dayCommandForm(_previous: DayFormState, formData: FormData): Promise<DayFormState> {
  const id = field(formData, "id");
  const day = field(formData, "day");
  const instruction = field(formData, "instruction");
  const [kind, index = ""] = field(formData, "command").split(":");
  const command: DayCommand | null =
    kind === "revise"
      ? { kind, id, day: Number(day), instruction }
      : kind === "undo"
        ? { kind, id, day: Number(day) }
        : kind === "remove" && /^\d{1,3}$/.test(index)
          ? { kind, id, day: Number(day), index: Number(index) }
          : null;
  if (!command || !/^\d{1,3}$/.test(day)) return { message: "That change could not be made.", instruction };
  try {
    await perform(command);
  } catch (error) {
    return { message: messageOf(error), instruction };
  }
  // redirect() throws, so it stays outside the try block.
  redirect(`/itineraries/${encodeURIComponent(id)}#day-${command.day}`);
}
