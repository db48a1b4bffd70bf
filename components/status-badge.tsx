import type { ItineraryStatus } from "@/lib/domain/constants";

const STYLES: Record<ItineraryStatus, string> = {
  processing: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  completed: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  failed: "bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100",
  cancelled: "bg-stone-200 text-stone-800 dark:bg-stone-700 dark:text-stone-100",
};

export function StatusBadge({ status }: { status: ItineraryStatus }) {
  return (
    <span
      data-testid="status-badge"
      className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold capitalize ${STYLES[status]}`}
    >
      {status}
    </span>
  );
}
