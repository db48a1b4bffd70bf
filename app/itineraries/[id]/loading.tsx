export default function Loading() {
  return (
    <div aria-busy="true" className="space-y-4">
      <div className="h-9 w-1/2 animate-pulse rounded bg-stone-200 dark:bg-stone-800" />
      <div className="h-2 w-full animate-pulse rounded bg-stone-200 dark:bg-stone-800" />
      <p className="sr-only">Loading the itinerary…</p>
    </div>
  );
}
