import type { ItineraryResource } from "@/lib/domain/resource";

type DayPlan = ItineraryResource["days"][number];

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

const bar = "animate-pulse rounded bg-stone-200 dark:bg-stone-800";

/** A placeholder bar inside a box as tall as the line of text it stands for. */
function Line({ height, bar: barClass }: { height: string; bar: string }) {
  return (
    <div className={`flex items-center ${height}`}>
      <div className={barClass} />
    </div>
  );
}

/**
 * A day still being planned. It copies the card's structure (padding, header, one timeline
 * entry per expected activity, each line the height of the text it stands for) so the card
 * that replaces it takes about the same room and the page does not jump as days land.
 */
export function DaySkeleton({
  day,
  theme,
  startDate,
  activities,
}: {
  day: number;
  theme: string | null;
  startDate: string | null;
  activities: number;
}) {
  const date = dayDate(startDate, day);
  return (
    <div
      data-testid={`day-${day}-pending`}
      className="rounded-xl border border-dashed border-stone-300 p-5 dark:border-stone-700"
    >
      <div className="mb-4">
        <p className="text-sm font-medium text-stone-600 dark:text-stone-400">
          Day {day}
          {date ? ` · ${date}` : ""}
        </p>
        <p className="text-lg font-semibold text-stone-600 dark:text-stone-400">{theme ?? "Coming up…"}</p>
      </div>
      <ol aria-hidden="true" className="space-y-4 border-l border-dashed border-stone-300 pl-4 dark:border-stone-700">
        {Array.from({ length: activities }, (_, index) => (
          <li key={index}>
            <Line height="h-5" bar={`h-3 w-40 ${bar}`} />
            <Line height="h-6" bar={`h-4 w-1/2 ${bar}`} />
            <Line height="h-6" bar={`h-4 w-5/6 ${bar}`} />
            <Line height="mt-1 h-5" bar={`h-3 w-2/3 ${bar}`} />
          </li>
        ))}
      </ol>
      <p className="sr-only">Day {day} is still being planned.</p>
    </div>
  );
}

/** The outline's title and summary while the outline is being written. */
export function OutlineSkeleton() {
  return (
    <div aria-hidden="true" data-testid="outline-pending" className="space-y-2">
      <Line height="h-8" bar={`h-6 w-2/3 ${bar}`} />
      <div>
        <Line height="h-6" bar={`h-4 w-full ${bar}`} />
        <Line height="h-6" bar={`h-4 w-3/4 ${bar}`} />
      </div>
    </div>
  );
}
