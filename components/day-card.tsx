import type { DayPlan } from "@/lib/itineraries/schema";

/** The calendar date of a trip day, when a start date was given. */
export function dayDate(startDate: string | null, day: number): string | null {
  if (!startDate) return null;
  const date = new Date(`${startDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + day - 1);
  return date.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
}

export function DayCard({ plan, startDate }: { plan: DayPlan; startDate: string | null }) {
  const date = dayDate(startDate, plan.day);
  return (
    <article
      data-testid={`day-${plan.day}`}
      aria-labelledby={`day-${plan.day}-title`}
      className="rounded-xl border border-stone-200 bg-white p-5 shadow-sm dark:border-stone-800 dark:bg-stone-900"
    >
      <header className="mb-4">
        <p className="text-sm font-medium text-brand-700 dark:text-brand-100">
          Day {plan.day}
          {date ? ` · ${date}` : ""}
        </p>
        <h3 id={`day-${plan.day}-title`} className="text-lg font-semibold">
          {plan.theme}
        </h3>
      </header>
      <ol className="space-y-4 border-l border-stone-200 pl-4 dark:border-stone-700">
        {plan.activities.map((activity, index) => (
          <li key={`${activity.startTime}-${index}`} className="relative">
            <span aria-hidden="true" className="absolute -left-[21px] top-1.5 h-2.5 w-2.5 rounded-full bg-brand-500" />
            <p className="text-sm text-stone-600 dark:text-stone-400">
              <time>{activity.startTime}</time> · {activity.timeOfDay} · {activity.durationMinutes} min
            </p>
            <p className="font-medium">{activity.title}</p>
            <p className="text-stone-700 dark:text-stone-300">{activity.description}</p>
            <p className="mt-1 text-sm text-stone-600 dark:text-stone-400">
              <span className="capitalize">{activity.category}</span> · {activity.place} · {activity.estimatedCost}
            </p>
          </li>
        ))}
      </ol>
    </article>
  );
}

export function DaySkeleton({ day, theme }: { day: number; theme: string | null }) {
  return (
    <div
      data-testid={`day-${day}-pending`}
      className="rounded-xl border border-dashed border-stone-300 p-5 dark:border-stone-700"
    >
      <p className="text-sm font-medium text-stone-500">Day {day}</p>
      <p className="text-lg font-semibold text-stone-500">{theme ?? "Coming up…"}</p>
      <div aria-hidden="true" className="mt-4 space-y-3">
        <div className="h-3 w-3/4 animate-pulse rounded bg-stone-200 dark:bg-stone-800" />
        <div className="h-3 w-2/3 animate-pulse rounded bg-stone-200 dark:bg-stone-800" />
        <div className="h-3 w-1/2 animate-pulse rounded bg-stone-200 dark:bg-stone-800" />
      </div>
      <p className="sr-only">Day {day} is still being planned.</p>
    </div>
  );
}
