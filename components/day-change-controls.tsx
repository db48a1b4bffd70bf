"use client";

import { useRef, useState, type FormEvent, type MouseEvent } from "react";
import type { ItineraryResource } from "@/lib/domain/resource";
import { commandsFormId, INSTRUCTION_EXAMPLES, MAX_INSTRUCTION, undoButtonId, useHydrated, type DayChange } from "./change-day";

// The change controls of one day (components/change-day.tsx has the state they share), in a
// module of their own: the page loads them only where a day can be changed — a finished
// trip, for its owner — so everyone else's page stays light.

type DayPlan = ItineraryResource["days"][number];

const buttonClass =
  "rounded-lg border border-stone-300 px-3 py-1.5 text-sm font-medium hover:bg-stone-100 disabled:opacity-60 dark:border-stone-700 dark:hover:bg-stone-800";

/**
 * The day's footer for its owner: "Change this day" (a disclosure holding the instruction
 * field), "Undo" once the day has been changed, and the form the stops' remove buttons post.
 */
export default function DayChangeControls({ plan, control }: { plan: DayPlan; control: DayChange }) {
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

