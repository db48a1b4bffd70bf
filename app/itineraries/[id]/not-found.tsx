import Link from "next/link";

export default function ItineraryNotFound() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">We could not find that itinerary</h1>
      <p>The link may be mistyped, or the itinerary was deleted.</p>
      <p className="flex gap-4">
        <Link href="/" className="font-medium text-brand-700 underline dark:text-brand-100">
          Plan a new trip
        </Link>
        <Link href="/itineraries" className="font-medium text-brand-700 underline dark:text-brand-100">
          See recent itineraries
        </Link>
      </p>
    </div>
  );
}
