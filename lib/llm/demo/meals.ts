import type { Budget } from "@/lib/domain/trip";
import type { Idea } from "./ideas";

// Lunch and dinner, every day, at a kind of place that suits the budget. A meal's title
// names the day's area ("Lunch at a bistro in Northern Kyoto"), so no two days share one.

export type MealKind = "lunch" | "dinner";

interface Venue {
  venue: string;
  description: string;
}

const venue = (name: string, description: string): Venue => ({ venue: name, description });

const LUNCH: Record<Budget, Venue[]> = {
  budget: [
    venue("a street-food stall", "Eat standing up or on a stool, like everyone else: fast, cheap and often the best food in town."),
    venue("a workers' canteen", "A set lunch where the office crowd eats: the dish of the day at a fair price."),
    venue("a corner bakery", "Pick up bread, pastries and fruit and eat on a bench in the nearest square."),
    venue("a market food counter", "A counter seat in the market, with whatever the stallholders are cooking today."),
    venue("a soup and noodle bar", "Something hot and filling in a bowl, quick enough to keep the afternoon free."),
    venue("a self-service buffet", "Point at what looks good: a cheap way to try several local dishes at once."),
  ],
  moderate: [
    venue("a family-run restaurant", "A relaxed lunch of the dishes the region is proud of; ask for the daily special."),
    venue("a bistro with a set menu", "Two courses at a fixed price, with locals on their lunch break."),
    venue("a café kitchen", "A bright café with a short menu of fresh, seasonal plates."),
    venue("a market-hall restaurant", "A sit-down lunch inside the market, cooked from the stalls around you."),
    venue("a vegetarian kitchen", "Seasonal vegetables done well: a light lunch before a busy afternoon."),
    venue("a garden-terrace restaurant", "Lunch outdoors when the weather allows, under trees or an awning."),
  ],
  luxury: [
    venue("a chef's counter", "A seat at the counter watching the chef work through a short lunch tasting menu."),
    venue("a grand hotel's terrace", "An elegant lunch with white tablecloths and a view; book a table by the window."),
    venue("a celebrated restaurant's lunch sitting", "The same kitchen as at dinner, at a calmer pace and a gentler price."),
    venue("a wine-pairing bistro", "Three refined courses, each with a glass chosen by the sommelier."),
    venue("a seafood and grill house", "The best of the season, simply cooked, in a dining room that locals save for occasions."),
    venue("a historic dining room", "An old institution with polished service and the classic dishes of the city."),
  ],
};

const DINNER: Record<Budget, Venue[]> = {
  budget: [
    venue("a busy neighbourhood eatery", "Plastic menus, fast service and generous plates: where locals go on a weeknight."),
    venue("an evening food market", "Stalls and shared tables: choose a little from several cooks."),
    venue("a hole-in-the-wall grill", "Grilled skewers, flatbreads or whatever the grill does best, eaten elbow to elbow."),
    venue("a student-quarter canteen", "Hearty, cheap and cheerful, surrounded by the city's students."),
    venue("a dumpling and snack bar", "Small plates to share, ordered a few at a time until you are full."),
    venue("a pub or tavern kitchen", "A plain, filling dinner with the regulars."),
  ],
  moderate: [
    venue("a lively tavern", "Share small plates in the part of town where evenings happen."),
    venue("a restaurant known for regional dishes", "The region's classics, cooked the way grandmothers insist they should be."),
    venue("a modern bistro", "A young chef's take on local produce, in a small and busy room."),
    venue("a waterside or garden restaurant", "Dinner outdoors while the light fades, when the weather allows."),
    venue("a family-run trattoria-style restaurant", "Handwritten menu, house wine or tea, and portions to share."),
    venue("a neighbourhood favourite", "Ask your host where they eat: this is the kind of place they will name."),
  ],
  luxury: [
    venue("a tasting-menu restaurant", "An evening of many small courses from one of the city's most talked-about kitchens; book ahead."),
    venue("a rooftop restaurant", "Dinner high above the city lights, with a menu to match the view."),
    venue("a chef's table", "A handful of seats facing the kitchen and a menu that changes with the market."),
    venue("a historic grand restaurant", "Chandeliers, silver service and the city's classic dishes done perfectly."),
    venue("a private dining room", "A quiet room of your own and a menu planned with the chef."),
    venue("a fine-dining seafood house", "The catch of the day, prepared with great care, with a serious wine or sake list."),
  ],
};

/** Per person, in US dollars, before the country's price level. */
const MEAL_USD: Record<MealKind, Record<Budget, number>> = {
  lunch: { budget: 9, moderate: 20, luxury: 60 },
  dinner: { budget: 15, moderate: 40, luxury: 120 },
};

const MEAL_MINUTES: Record<MealKind, Record<Budget, number>> = {
  lunch: { budget: 45, moderate: 60, luxury: 90 },
  dinner: { budget: 75, moderate: 90, luxury: 120 },
};

/** The day's `kind` of meal; `seed` varies the kind of place from day to day. */
export function mealIdea(kind: MealKind, budget: Budget, seed: number): Idea {
  const options = (kind === "lunch" ? LUNCH : DINNER)[budget];
  const chosen = options[seed % options.length]!;
  const meal = kind === "lunch" ? "Lunch" : "Dinner";
  return {
    title: `${meal} at ${chosen.venue} in {area}`,
    place: `${chosen.venue.charAt(0).toUpperCase()}${chosen.venue.slice(1)}`,
    category: "food",
    minutes: MEAL_MINUTES[kind][budget],
    usd: MEAL_USD[kind][budget],
    description: chosen.description,
  };
}

/** Whether an activity is one of the demo's meals (its title starts "Lunch at" or "Dinner at"). */
export const isMealTitle = (title: string) => /^(Lunch|Dinner) at /.test(title);
