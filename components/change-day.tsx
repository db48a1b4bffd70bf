"use client";

import { useActionState, useEffect, useRef, useState, useSyncExternalStore, type FormEvent, type MouseEvent } from "react";
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
const MAX_INSTRUCTION = 500;

const subscribeToNothing = () => () => {};
/** False during the server render and hydration, true once React runs in the browser. */
const useHydrated = () => useSyncExternalStore(subscribeToNothing, () => true, () => false);

export const dayHeadingId = (day: number) => `day-${day}-title`;
const commandsFormId = (day: number) => `day-${day}-commands`;
const undoButtonId = (day: number) => `day-${day}-undo`;

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

const buttonClass =
  "rounded-lg border border-stone-300 px-3 py-1.5 text-sm font-medium hover:bg-stone-100 disabled:opacity-60 dark:border-stone-700 dark:hover:bg-stone-800";

/**
 * The day's footer for its owner: "Change this day" (a disclosure holding the instruction
 * field), "Undo" once the day has been changed, and the form the stops' remove buttons post.
 */
export function DayChangeControls({ plan, control }: { plan: DayPlan; control: DayChange }) {
  const { day } = plan;
  const hydrated = useHydrated();
  const detailsRef = useRef<HTMLDetailsElement>(null);
  const fieldRef = useRef<HTMLTextAreaElement>(null);
  const summaryRef = useRef<HTMLElement>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const ids = { field: `day-${day}-instruction`, hint: `day-${day}-instruction-hint`, message: `day-${day}-change-message` };
  // Without JavaScript, a refused instruction comes back with the page: show it in its field.
  const reopened = control.formState.message !== null && control.formState.instruction !== "";

  if (!control.changes) return null;
  const failed = plan.state === "failed";

  function close() {
    if (detailsRef.current) detailsRef.current.open = false;
    summaryRef.current?.focus();
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const instruction = fieldRef.current?.value.trim() ?? "";
    if (!instruction) {
      setInvalid("Say how to change the day.");
      fieldRef.current?.focus();
      return;
    }
    setInvalid(null);
    if (await control.run({ kind: "revise", instruction })) {
      if (detailsRef.current) detailsRef.current.open = false;
      if (fieldRef.current) fieldRef.current.value = "";
    }
  }

  function fillExample(example: string) {
    if (!fieldRef.current) return;
    fieldRef.current.value = example;
    fieldRef.current.focus();
  }

  const message = invalid ?? control.message;
  return (
    <div className="no-print mt-4 space-y-2 border-t border-stone-200 pt-3 dark:border-stone-800">
      {/* The form the remove and undo buttons post, wherever they sit in the card. */}
      <form id={commandsFormId(day)} action={control.formAction} hidden>
        <input type="hidden" name="id" value={control.changes.itineraryId} />
        <input type="hidden" name="day" value={day} />
      </form>
      {control.enabled ? (
        <div className="flex flex-wrap items-start gap-2">
          <details
            ref={detailsRef}
            open={reopened || undefined}
            className="min-w-0 open:basis-full"
            onToggle={(event) => {
              if (event.currentTarget.open) fieldRef.current?.focus();
            }}
          >
            <summary ref={summaryRef} className={`${buttonClass} inline-block cursor-pointer list-none`} data-testid={`day-${day}-change`}>
              {failed ? "Try again" : "Change this day"}
              <span className="sr-only"> (day {day})</span>
            </summary>
            <form action={control.formAction} onSubmit={submit} className="mt-3 space-y-2" noValidate={hydrated}>
              <input type="hidden" name="id" value={control.changes.itineraryId} />
              <input type="hidden" name="day" value={day} />
              <input type="hidden" name="command" value="revise" />
              <label htmlFor={ids.field} className="block font-medium">
                How should day {day} change?
              </label>
              <p id={ids.hint} className="text-sm text-stone-600 dark:text-stone-400">
                In your own words, up to {MAX_INSTRUCTION} characters
                {hydrated ? "." : `: for example “${INSTRUCTION_EXAMPLES.join("”, “")}”.`}
              </p>
              {hydrated ? (
                <ul aria-label="Examples" className="flex flex-wrap gap-2">
                  {INSTRUCTION_EXAMPLES.map((example) => (
                    <li key={example}>
                      <button
                        type="button"
                        onClick={() => fillExample(example)}
                        className="rounded-full border border-stone-300 px-3 py-0.5 text-sm hover:bg-stone-100 dark:border-stone-700 dark:hover:bg-stone-800"
                      >
                        {example}
                      </button>
                    </li>
                  ))}
                </ul>
              ) : null}
              <textarea
                ref={fieldRef}
                id={ids.field}
                name="instruction"
                rows={2}
                required
                minLength={1}
                maxLength={MAX_INSTRUCTION}
                defaultValue={control.formState.instruction}
                aria-invalid={invalid ? true : undefined}
                aria-describedby={`${ids.hint} ${ids.message}`}
                onKeyDown={(event) => {
                  if (event.key === "Escape") {
                    event.preventDefault();
                    close();
                  }
                }}
                className="block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm aria-[invalid=true]:border-red-600 dark:border-stone-700 dark:bg-stone-900"
              />
              <div className="flex gap-2">
                <button type="submit" disabled={control.pending} className={`${buttonClass} bg-brand-700 text-white hover:bg-brand-900 dark:hover:bg-brand-900`}>
                  Change day {day}
                </button>
                {hydrated ? (
                  <button type="button" onClick={close} className={buttonClass}>
                    Cancel
                  </button>
                ) : null}
              </div>
            </form>
          </details>
          {plan.revision > 1 ? (
            <button
              id={undoButtonId(day)}
              type="submit"
              form={commandsFormId(day)}
              name="command"
              value="undo"
              disabled={control.pending}
              className={buttonClass}
              onClick={(event: MouseEvent) => {
                event.preventDefault();
                void control.run({ kind: "undo" });
              }}
            >
              Undo<span className="sr-only"> the last change to day {day}</span>
            </button>
          ) : null}
        </div>
      ) : null}
      <p id={ids.message} aria-live="polite" data-testid={`day-${day}-change-message`} className="text-sm text-red-700 dark:text-red-400">
        {message}
      </p>
    </div>
  );
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
