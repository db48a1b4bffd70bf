"use client";

import { useActionState, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { submitItineraryAction } from "@/app/actions";
import { DEFAULT_FORM_VALUES, initialFormState, SUGGESTED_INTERESTS, type SubmitFormState } from "@/app/form";
import { BUDGETS, MAX_DAYS, MAX_INTERESTS, MAX_TRAVELLERS, PACES } from "@/lib/domain/constants";
import { FieldError } from "./field-error";

const DESTINATION_EXAMPLES = ["Tokyo, Japan", "Lisbon, Portugal", "Mexico City, Mexico", "Cape Town, South Africa", "Kyoto, Japan", "Reykjavík, Iceland"];

const FIELD_ORDER = ["destination", "durationDays", "startDate", "interests", "pace", "budget", "travellers"];

const inputClass =
  "mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm aria-[invalid=true]:border-red-600 dark:border-stone-700 dark:bg-stone-900";

/** Today's date in the visitor's time zone, as the date picker's lower bound. */
function localToday(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

export function ItineraryForm() {
  const [state, formAction, isPending] = useActionState<SubmitFormState, FormData>(
    submitItineraryAction,
    initialFormState,
  );
  const formRef = useRef<HTMLFormElement>(null);
  const { values, fieldErrors } = state;
  const errorOf = (name: string) => fieldErrors[name];

  // Move focus to the first field the server rejected.
  useEffect(() => {
    if (state.status !== "error") return;
    const first = FIELD_ORDER.find((name) => fieldErrors[name]?.length);
    const target = first ? formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`) : null;
    target?.focus();
  }, [state, fieldErrors]);

  return (
    <form ref={formRef} action={formAction} noValidate className="space-y-6" aria-describedby="form-message">
      <div id="form-message" aria-live="polite">
        {state.status === "error" && state.message ? (
          <p role="status" className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            {state.message}
          </p>
        ) : null}
      </div>

      <div>
        <label htmlFor="destination" className="block font-medium">
          Where to?
        </label>
        <p id="destination-hint" className="text-sm text-stone-600 dark:text-stone-400">
          A city, region or country — for example {DESTINATION_EXAMPLES.slice(0, 3).join(", ")}.
        </p>
        <input
          id="destination"
          name="destination"
          type="text"
          required
          minLength={2}
          maxLength={100}
          autoComplete="off"
          list="destination-examples"
          defaultValue={values.destination}
          aria-invalid={errorOf("destination") ? true : undefined}
          aria-describedby="destination-hint destination-error"
          className={inputClass}
        />
        <datalist id="destination-examples">
          {DESTINATION_EXAMPLES.map((example) => (
            <option key={example} value={example} />
          ))}
        </datalist>
        <FieldError id="destination-error" errors={errorOf("destination")} />
      </div>

      <div className="grid gap-6 sm:grid-cols-3">
        <DaysStepper defaultValue={values.durationDays} errors={errorOf("durationDays")} />
        <div>
          <label htmlFor="startDate" className="block font-medium">
            Start date
          </label>
          <p id="startDate-hint" className="text-sm text-stone-600 dark:text-stone-400">
            Optional
          </p>
          <input
            id="startDate"
            name="startDate"
            type="date"
            min={localToday()}
            defaultValue={values.startDate}
            aria-invalid={errorOf("startDate") ? true : undefined}
            aria-describedby="startDate-hint startDate-error"
            className={inputClass}
            suppressHydrationWarning
          />
          <FieldError id="startDate-error" errors={errorOf("startDate")} />
        </div>
        <div>
          <label htmlFor="travellers" className="block font-medium">
            Travellers
          </label>
          <p id="travellers-hint" className="text-sm text-stone-600 dark:text-stone-400">
            1 to {MAX_TRAVELLERS}
          </p>
          <input
            id="travellers"
            name="travellers"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_TRAVELLERS}
            step={1}
            defaultValue={values.travellers}
            aria-invalid={errorOf("travellers") ? true : undefined}
            aria-describedby="travellers-hint travellers-error"
            className={inputClass}
          />
          <FieldError id="travellers-error" errors={errorOf("travellers")} />
        </div>
      </div>

      <fieldset aria-describedby="interests-hint interests-error">
        <legend className="font-medium">Interests</legend>
        <p id="interests-hint" className="text-sm text-stone-600 dark:text-stone-400">
          Pick up to {MAX_INTERESTS}, or add your own below.
        </p>
        <div className="mt-2 flex flex-wrap gap-2">
          {SUGGESTED_INTERESTS.map((interest) => (
            <label
              key={interest}
              className="cursor-pointer rounded-full border border-stone-300 px-3 py-1 text-sm has-checked:border-brand-600 has-checked:bg-brand-600 has-checked:text-white has-focus-visible:outline-2 has-focus-visible:outline-brand-500 dark:border-stone-700"
            >
              <input
                type="checkbox"
                name="interests"
                value={interest}
                defaultChecked={values.interests.includes(interest)}
                className="sr-only"
              />
              {interest}
            </label>
          ))}
        </div>
        <label htmlFor="customInterests" className="mt-3 block text-sm">
          Other interests, separated by commas
        </label>
        <input
          id="customInterests"
          name="customInterests"
          type="text"
          defaultValue={values.customInterests}
          className={inputClass}
        />
        <FieldError id="interests-error" errors={errorOf("interests")} />
      </fieldset>

      <div className="grid gap-6 sm:grid-cols-2">
        <ChoiceGroup name="pace" legend="Pace" options={PACES} selected={values.pace} errors={errorOf("pace")} />
        <ChoiceGroup name="budget" legend="Budget" options={BUDGETS} selected={values.budget} errors={errorOf("budget")} />
      </div>

      <button
        type="submit"
        disabled={isPending}
        aria-disabled={isPending}
        className="w-full rounded-lg bg-brand-700 px-4 py-3 font-semibold text-white shadow hover:bg-brand-900 disabled:cursor-wait disabled:opacity-70 sm:w-auto"
      >
        {isPending ? "Starting your itinerary…" : "Plan my trip"}
      </button>
    </form>
  );
}

function ChoiceGroup({
  name,
  legend,
  options,
  selected,
  errors,
}: {
  name: string;
  legend: string;
  options: readonly string[];
  selected: string;
  errors: string[] | undefined;
}) {
  return (
    <fieldset aria-describedby={`${name}-error`}>
      <legend className="font-medium">{legend}</legend>
      <div className="mt-2 flex flex-wrap gap-2">
        {options.map((option) => (
          <label
            key={option}
            className="cursor-pointer rounded-lg border border-stone-300 px-3 py-2 text-sm capitalize has-checked:border-brand-600 has-checked:bg-brand-50 has-checked:text-brand-900 has-focus-visible:outline-2 has-focus-visible:outline-brand-500 dark:border-stone-700 dark:has-checked:bg-brand-900 dark:has-checked:text-white"
          >
            <input type="radio" name={name} value={option} defaultChecked={selected === option} className="mr-2" />
            {option}
          </label>
        ))}
      </div>
      <FieldError id={`${name}-error`} errors={errors} />
    </fieldset>
  );
}

const subscribeToNothing = () => () => {};

/** False during the server render and hydration, true once React runs in the browser. */
function useHydrated(): boolean {
  return useSyncExternalStore(subscribeToNothing, () => true, () => false);
}

/**
 * The number of days: a plain number input (so it works without JavaScript) between two
 * buttons that step it within 1…MAX_DAYS. The buttons stay disabled until the page is
 * interactive rather than appear late and move the layout.
 */
function DaysStepper({ defaultValue, errors }: { defaultValue: string; errors: string[] | undefined }) {
  const [value, setValue] = useState(defaultValue);
  const hydrated = useHydrated();
  const current = Number(value);
  const known = value.trim() !== "" && Number.isInteger(current);
  const step = (delta: number) => {
    const base = known ? current : Number(DEFAULT_FORM_VALUES.durationDays);
    setValue(String(Math.min(MAX_DAYS, Math.max(1, base + delta))));
  };
  const buttonClass =
    "flex w-11 shrink-0 items-center justify-center border-stone-300 bg-stone-50 text-xl font-semibold text-stone-800 hover:bg-stone-100 disabled:cursor-not-allowed disabled:text-stone-400 dark:border-stone-700 dark:bg-stone-800 dark:text-stone-100 dark:hover:bg-stone-700 dark:disabled:text-stone-500";

  return (
    <div>
      <label htmlFor="durationDays" className="block font-medium">
        Days
      </label>
      <p id="durationDays-hint" className="text-sm text-stone-600 dark:text-stone-400">
        1 to {MAX_DAYS}
      </p>
      <div className="mt-1 flex rounded-lg shadow-sm">
        <button
          type="button"
          aria-label="Remove a day"
          aria-controls="durationDays"
          onClick={() => step(-1)}
          disabled={!hydrated || (known && current <= 1)}
          className={`${buttonClass} rounded-l-lg border`}
        >
          −
        </button>
        <input
          id="durationDays"
          name="durationDays"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_DAYS}
          step={1}
          required
          value={value}
          onChange={(event) => setValue(event.target.value)}
          aria-invalid={errors ? true : undefined}
          aria-describedby="durationDays-hint durationDays-error"
          className="block w-full min-w-0 border-y border-stone-300 bg-white px-3 py-2 text-center text-base aria-[invalid=true]:border-red-600 dark:border-stone-700 dark:bg-stone-900"
        />
        <button
          type="button"
          aria-label="Add a day"
          aria-controls="durationDays"
          onClick={() => step(1)}
          disabled={!hydrated || (known && current >= MAX_DAYS)}
          className={`${buttonClass} rounded-r-lg border`}
        >
          +
        </button>
      </div>
      <FieldError id="durationDays-error" errors={errors} />
    </div>
  );
}
