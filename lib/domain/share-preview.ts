// What a shared link to a trip shows before anyone opens it (the page's description and its
// OpenGraph card): where and for how long, nothing more. Interests, pace, budget, travellers
// and the plan itself stay on the page, for whoever follows the link.

export interface TripPreview {
  title: string;
  description: string;
}

const length = (days: number) => `${days}-day`;

/** Takes only the two facts a preview may show, so nothing else can slip into it. */
export function tripPreview({ destination, durationDays }: { destination: string; durationDays: number }): TripPreview {
  return {
    title: `${destination}: a ${length(durationDays)} itinerary`,
    description: `A ${length(durationDays)} trip to ${destination}, planned day by day with Itinera.`,
  };
}
