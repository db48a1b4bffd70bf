import { ItineraryForm } from "@/components/itinerary-form";

export default function HomePage() {
  return (
    <div className="space-y-8">
      <section className="space-y-2">
        <h1 className="text-3xl font-bold tracking-tight sm:text-4xl">Plan a trip, day by day</h1>
        <p className="text-lg text-stone-700 dark:text-stone-300">
          Tell Itinera where you are going and for how long. It sketches the trip, plans every day
          in parallel, and you watch each day arrive.
        </p>
      </section>
      <ItineraryForm />
    </div>
  );
}
