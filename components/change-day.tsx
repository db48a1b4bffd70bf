"use client";

import { useActionState, useEffect, useRef, useState, useSyncExternalStore, type MouseEvent } from "react";
import { dayCommandForm, runDayCommand, type DayCommand, type DayFormState } from "@/app/itineraries/[id]/actions";
import type { ItineraryResource } from "@/lib/domain/resource";
import { travellerMessage } from "./job-notices";

// Changing a day of a finished trip, for its owner: "Change this day" opens a field for an
// instruction in words, "Undo" steps back one change, and each stop has a remove button.
// Every control is a form button posting to the page's server action, so all of it works
// without JavaScript (the action redirects back to the trip page). With JavaScript the page
// calls the action itself, shows the trip as it answered, and follows the day live while it
// is rewritten. Focus goes where the traveller will want it next; a live region says what
// happened to which day.

type DayPlan = ItineraryResource["days"][number];

/** What a day needs to be changed from the page: the trip, and how to follow it after a change. */
export interface DayChanges {
  itineraryId: string;
  follow: (next: ItineraryResource) => void;
}

export const INSTRUCTION_EXAMPLES = ["make it more relaxed", "swap the museum for a food market", "no museums"] as const;
export const MAX_INSTRUCTION = 500;

const subscribeToNothing = () => () => {};
/** False during the server render and hydration, true once React runs in the browser. */
export const useHydrated = () => useSyncExternalStore(subscribeToNothing, () => true, () => false);

export const dayHeadingId = (day: number) => `day-${day}-title`;
export const commandsFormId = (day: number) => `day-${day}-commands`;
export const undoButtonId = (day: number) => `day-${day}-undo`;

const initialFormState: DayFormState = { message: null, instruction: "" };

type Command = { kind: "revise"; instruction: string } | { kind: "undo" } | { kind: "remove"; index: number };

/**
 * The day's change controls' shared state: a form submission without JavaScript
 * (`formAction`, `formState`), and with it `run`, which calls the action, shows its answer
 * and moves focus. `changes` null: the viewer may not change the day (nothing is shown).
 */
export function useDayChange(plan: DayPlan, changes: DayChanges | null) {
  const [formState, formAction] = useActionState(dayCommandForm, initialFormState);
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  // Where focus goes once the change shows (the next render after it lands).
  const focusNext = useRef<string | null>(null);

  useEffect(() => {
    const target = focusNext.current;
    if (!target) return;
    focusNext.current = null;
    (document.getElementById(target) ?? document.getElementById(dayHeadingId(plan.day)))?.focus();
  });

  async function run(command: Command): Promise<boolean> {
    if (!changes || pending) return false;
    setPending(true);
    setMessage(null);
    const base = { id: changes.itineraryId, day: plan.day };
    const full: DayCommand = { ...base, ...command };
    try {
      const result = await runDayCommand(full);
      if (!result.ok) {
        setMessage(result.message);
        return false;
      }
      // After a removal the day's Undo is the next thing wanted; otherwise its heading.
      focusNext.current = command.kind === "remove" ? undoButtonId(plan.day) : dayHeadingId(plan.day);
      changes.follow(result.itinerary);
      return true;
    } catch {
      setMessage("You seem to be offline; please try again.");
      return false;
    } finally {
      setPending(false);
    }
  }

  return {
    enabled: changes !== null && plan.state !== "revising",
    changes,
    pending,
    message: message ?? formState.message,
    formState,
    formAction,
    run,
  };
}

export type DayChange = ReturnType<typeof useDayChange>;

/** A stop's remove button: a submit button of the day's commands form. */
export function RemoveStopButton({ control, day, index, title }: { control: DayChange; day: number; index: number; title: string }) {
  return (
    <button
      type="submit"
      form={commandsFormId(day)}
      name="command"
      value={`remove:${index}`}
      disabled={control.pending}
      data-testid="remove-stop"
      onClick={(event: MouseEvent) => {
        event.preventDefault();
        void control.run({ kind: "remove", index });
      }}
      className="no-print rounded-md border border-stone-300 px-2 py-0.5 text-xs font-medium text-stone-700 hover:bg-stone-100 disabled:opacity-60 dark:border-stone-700 dark:text-stone-300 dark:hover:bg-stone-800"
    >
      Remove<span className="sr-only"> stop {index + 1}: {title}</span>
    </button>
  );
}

/** While the day is rewritten, and after a revision failed: what the traveller should know. */
export function DayRevisionNotice({ plan }: { plan: DayPlan }) {
  if (plan.state === "revising") {
    return (
      <p data-testid={`day-${plan.day}-revising`} className="no-print mb-4 flex items-center gap-2 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
        <span aria-hidden="true" className="h-2 w-2 animate-pulse rounded-full bg-amber-600" />
        Changing this day… The new plan shows here as it is written.
      </p>
    );
  }
  if (plan.state === "failed") {
    return (
      <div
        data-testid={`day-${plan.day}-revision-error`}
        className="no-print mb-4 rounded-lg border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
      >
        <p className="font-semibold">This day could not be changed.</p>
        <p>{travellerMessage(plan.error)}</p>
        <p>Its plan below is unchanged; you can try again.</p>
      </div>
    );
  }
  return null;
}

/** What changed about one day between two versions of the trip, in a sentence; null if nothing did. */
export function describeDayChange(before: DayPlan | undefined, after: DayPlan): string | null {
  if (!before) return null;
  const day = `Day ${after.day}`;
  if (after.state === "revising") return before.state === "revising" ? null : `${day} is being changed.`;
  if (after.state === "failed" && before.state === "revising") {
    return `${day} could not be changed: ${travellerMessage(after.error)} Its plan is unchanged.`;
  }
  if (after.revision > before.revision || (before.state === "revising" && after.state === "ready")) return `${day} changed.`;
  if (after.revision < before.revision) return `${day} is back to its earlier version.`;
  return null;
}

/**
 * Says, to screen readers, what happened to the trip's days: "Day 2 is being changed",
 * "Day 2 changed", or why it could not be.
 */
export function DayChangeAnnouncer({ days }: { days: readonly DayPlan[] }) {
  const [seen, setSeen] = useState(days);
  const [message, setMessage] = useState("");
  if (seen !== days) {
    // Adjusting state while rendering (React's pattern for "what changed since the last props").
    const sentences = days.map((after) => describeDayChange(seen.find((before) => before.day === after.day), after)).filter(Boolean);
    setSeen(days);
    if (sentences.length > 0) setMessage(sentences.join(" "));
  }
  return (
    <p aria-live="polite" data-testid="day-change-announcement" className="sr-only">
      {message}
    </p>
  );
}
