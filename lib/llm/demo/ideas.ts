import type { Activity } from "@/lib/domain/trip";

// The demo's catalogue of things to do, one list per interest the form suggests and one of
// essentials for every trip. No two ideas share a title, and each list is drawn in order, so
// a trip uses an idea at most once (lib/llm/demo/day-draft.ts). "{city}" and "{area}" are
// filled in; the place gets the day's area added ("A botanical garden, Northern Kyoto").

export interface Idea {
  title: string;
  description: string;
  /** What kind of place, without its area. */
  place: string;
  category: Activity["category"];
  minutes: number;
  /** Per person, in US dollars, at a moderate budget; 0 when free. */
  usd: number;
  /** Best after dinner. */
  evening?: boolean;
  /** Best first thing, so the day starts with it. */
  morning?: boolean;
  /** The list it came from, when it stands in for the city's essentials ("history"). */
  source?: string;
}

const idea = (
  title: string,
  place: string,
  category: Idea["category"],
  minutes: number,
  usd: number,
  description: string,
  when?: "morning" | "evening",
): Idea => ({ title, place, category, minutes, usd, description, ...(when ? { [when]: true } : {}) });

export const ESSENTIALS: Idea[] = [
  idea("First walk through the historic centre", "The historic centre", "sightseeing", 120, 0, "Get your bearings on foot: the main square, the oldest streets and the landmarks {city} is known for."),
  idea("The best-known landmark, before the crowds", "The city's signature landmark", "sightseeing", 90, 15, "Arrive at opening time for the sight on every postcard of {city}, and have it almost to yourself.", "morning"),
  idea("Panorama from a high viewpoint", "A hilltop viewpoint", "sightseeing", 60, 8, "Climb or ride up for the whole of {city} laid out below: a good way to see how the day's area fits together."),
  idea("City lights from a favourite lookout", "A lookout over the city", "sightseeing", 60, 0, "Watch {city} light up from where the locals gather after dark.", "evening"),
  idea("Guided walk with a local", "A walking-tour meeting point", "culture", 150, 25, "A small-group walk through {area} with a local guide: stories, shortcuts and where people actually eat."),
  idea("A long pause in a city park", "A large city park", "relaxation", 90, 0, "Benches, shade and people-watching: the easy rhythm of {area} on a normal day."),
  idea("The city museum", "The city museum", "culture", 120, 12, "How {city} grew, from its first settlement to today, in one manageable visit."),
  idea("An evening performance", "A theatre or concert hall", "culture", 120, 40, "Theatre, dance or a concert in {city}: check what is on tonight and book a seat in the afternoon.", "evening"),
  idea("Across town by tram, bus or boat", "A central transit stop", "transport", 75, 5, "Ride a scenic public-transport line end to end: the cheapest sightseeing tour in {city}."),
  idea("Side streets off the beaten path", "Quiet residential streets", "sightseeing", 120, 0, "Wander the lanes of {area} where visitors rarely go: corner shops, courtyards and daily life."),
  idea("Souvenirs worth carrying home", "Independent shops", "shopping", 90, 20, "Small shops selling things actually made in and around {city}."),
  idea("Evening stroll and a nightcap", "Lively evening streets", "nightlife", 90, 10, "Join the evening crowd in {area} and end with a drink at a bar with a terrace.", "evening"),
];

export const INTEREST_IDEAS: Record<string, Idea[]> = {
  food: [
    idea("Street-food tasting walk", "Street-food lanes", "food", 150, 35, "Graze your way through the snacks {city} is proud of, with a guide who knows which stall makes the best of each food."),
    idea("Cooking class with a local cook", "A cooking school", "food", 180, 70, "Shop, chop and cook two or three regional dishes, then eat what you made: food you can repeat at home."),
    idea("Market breakfast", "The morning market", "food", 90, 12, "Start early where the city shops for food: fresh produce, breakfast at a counter and samples from the stalls.", "morning"),
    idea("Regional specialities tasting", "A specialist deli", "food", 90, 25, "A guided tasting of the cheeses, cured things, pickles or sweets that define the food of the region."),
    idea("Bakeries and sweet shops crawl", "Old bakeries and sweet shops", "food", 90, 15, "The oldest bakeries and sweet shops of {area}: a food crawl for anyone with a sweet tooth."),
    idea("Grazing in the food hall", "The central food hall", "food", 90, 20, "Dozens of counters under one roof: share small plates and find your favourite food in {city}."),
    idea("Tasting the local drinks", "A tasting room", "food", 75, 30, "Taste what the region pours, with food pairings and the stories of the producers."),
    idea("Late-night snack stalls", "Evening food stalls", "food", 90, 15, "Where {city} eats after dark: a second round of street food under the lights.", "evening"),
  ],
  history: [
    idea("The story of {city} at the history museum", "The history museum", "culture", 120, 15, "The history of {city} from its beginnings to today: the objects, maps and people that shaped it."),
    idea("Through the oldest quarter", "The oldest quarter", "sightseeing", 120, 0, "Walk the streets where {city} began and read its history in doorways, plaques and old walls."),
    idea("Old walls and fortifications", "The old fortifications", "sightseeing", 90, 10, "What remains of the defences, and the history of the sieges and peace treaties behind them."),
    idea("Guided history walk", "Historic landmarks", "culture", 150, 25, "A historian-guide links the landmarks of {area} into one story of the city's history."),
    idea("A historic house and its rooms", "A historic residence", "culture", 90, 12, "Period rooms, furniture and family stories: everyday history behind the grand facades."),
    idea("Memorials of the recent past", "A memorial and its exhibition", "culture", 90, 0, "A quieter, serious visit: how {city} remembers the history of the last century."),
    idea("An old cemetery and its stories", "A historic cemetery", "sightseeing", 60, 0, "Shaded paths, carved stones and the history of the people who made {city}."),
    idea("History by lamplight", "The old streets by night", "culture", 90, 20, "An evening walk of legends and history through the lantern-lit lanes of {area}.", "evening"),
  ],
  art: [
    idea("Masterpieces at the fine art museum", "The fine art museum", "culture", 150, 18, "The collection's highlights with time to linger: art from the region and the world."),
    idea("Contemporary art galleries", "The gallery district", "culture", 120, 0, "Drop into a cluster of free contemporary art galleries to see what local artists are making now."),
    idea("Street art and murals", "Murals and street art", "sightseeing", 90, 0, "A self-guided walk past the best murals and street art of {area}."),
    idea("Open studios and workshops", "Artists' studios", "culture", 90, 10, "Meet artists and makers at work in their studios; many sell small pieces of their art."),
    idea("Craft workshop: make something to take home", "A craft workshop", "culture", 150, 45, "A hands-on class in a local art or craft with a patient teacher; you keep what you make."),
    idea("A sculpture garden", "A sculpture garden", "culture", 75, 8, "Art in the open air, with benches in the shade between the sculptures."),
    idea("The design museum", "The design museum", "culture", 90, 14, "Posters, furniture and everyday objects: the applied art and design of the region."),
    idea("Art after dark: a late opening", "A museum's late opening", "culture", 90, 15, "Some museums stay open late one evening a week: art, fewer crowds and often music.", "evening"),
  ],
  nature: [
    idea("The botanical garden", "The botanical garden", "nature", 120, 8, "Glasshouses, old trees and native plants: nature at its most orderly in {city}."),
    idea("Waterside walk", "The waterside path", "nature", 90, 0, "Follow the nearest river, canal or lakeshore for an easy walk with nature close to the centre."),
    idea("Wooded hills above the city", "Wooded hills", "nature", 150, 0, "Trails through green hills and forest with glimpses of {city} below: nature within reach of a bus."),
    idea("Picnic in the biggest park", "The biggest park", "relaxation", 90, 10, "Pick up a picnic on the way and spend a slow hour in the city's biggest stretch of nature."),
    idea("Wildlife in a nature reserve", "A nature reserve", "nature", 120, 5, "Birds and small wildlife at the edge of town; bring binoculars and patience for nature."),
    idea("Cycling the green routes", "Cycle paths", "adventure", 150, 20, "Rent a bike and link parks and quiet paths on a loop through the nature around {area}."),
    idea("A quiet walled garden", "A walled garden", "relaxation", 60, 6, "A small garden with a pond and a bench: a pocket of nature away from the traffic."),
    idea("Evening in the park", "A park after dark", "nature", 60, 0, "Bats, birdsong and the city lights coming on: nature's evening show.", "evening"),
  ],
  architecture: [
    idea("Architecture walk: old and new", "Landmark buildings", "sightseeing", 150, 0, "From the oldest buildings to bold modern ones: the architecture of {area} in one loop."),
    idea("Inside a great place of worship", "A great place of worship", "sightseeing", 60, 5, "Step inside for the scale, the light and the craft of its sacred architecture; dress respectfully."),
    idea("Skyline and modern towers", "The modern business district", "sightseeing", 90, 0, "Glass, steel and daring shapes: the newest architecture of {city}."),
    idea("A palace and its grand rooms", "A palace or mansion", "culture", 120, 18, "Staterooms, staircases and gardens: architecture built to impress."),
    idea("Traditional houses and courtyards", "Traditional houses", "sightseeing", 90, 0, "The vernacular architecture of {area}: how people built homes here before concrete."),
    idea("The architecture centre", "The architecture centre", "culture", 75, 10, "Models, plans and exhibitions that explain how {city} was built and where it is going."),
    idea("Rooftops from an observation deck", "An observation deck", "sightseeing", 60, 15, "See the architecture of {city} from above: domes, towers and the shape of the streets."),
    idea("Illuminated facades", "Landmarks lit at night", "sightseeing", 60, 0, "The same architecture after dark, floodlit and quiet.", "evening"),
  ],
  nightlife: [
    idea("Live music in a small venue", "A live-music bar", "nightlife", 120, 20, "Local bands or a jam session: the nightlife of {city} at its most genuine; arrive early for a seat.", "evening"),
    idea("Cocktails with a view", "A rooftop bar", "nightlife", 90, 25, "A drink above the lights of {city}: the smart start to a night of nightlife.", "evening"),
    idea("Bar-hopping in the lively quarter", "The bar district", "nightlife", 150, 30, "Three bars, three moods: the nightlife quarter with someone who knows the doors to push.", "evening"),
    idea("Dancing until late", "A club", "nightlife", 150, 25, "The club nightlife of {city}: check the night's line-up and dress code before you go.", "evening"),
    idea("Comedy or cabaret show", "A cabaret venue", "nightlife", 90, 30, "An evening show with a drink: a lighter side of the city's nightlife.", "evening"),
    idea("Night walk and a late snack", "The streets after dark", "nightlife", 90, 10, "The streets of {area} by night, ending at a late-night bite: nightlife without the noise.", "evening"),
  ],
  shopping: [
    idea("Design shops and concept stores", "The design district", "shopping", 120, 30, "Shopping for well-made things by local designers: homeware, fashion and stationery."),
    idea("Local crafts to take home", "Craft shops", "shopping", 90, 25, "Shopping for the crafts {city} is known for, from the workshops that make them."),
    idea("The grand shopping street", "The main shopping street", "shopping", 120, 30, "The big names and old department stores: window shopping or the real thing."),
    idea("Vintage and second-hand finds", "Vintage shops", "shopping", 90, 20, "A treasure hunt through vintage shops; shopping with a story behind every piece."),
    idea("Bookshops and record stores", "Bookshops and record stores", "shopping", 75, 15, "Slow shopping: browse the shelves and crates of {area}'s independent shops."),
    idea("Covered arcades", "Shopping arcades", "shopping", 90, 20, "Old covered arcades full of small specialists: shopping out of the weather."),
  ],
  museums: [
    idea("Highlights of the national museum", "The national museum", "culture", 150, 15, "Follow a highlights route through the biggest museum in {city} before museum fatigue sets in."),
    idea("Science and technology museum", "The science museum", "culture", 120, 15, "Hands-on exhibits and the inventions of the region: a museum that suits every age."),
    idea("A small museum locals love", "A small specialist museum", "culture", 75, 8, "A single-subject museum with a devoted curator; ask at the desk for the story of the collection."),
    idea("The natural history museum", "The natural history museum", "culture", 120, 12, "Skeletons, minerals and the wildlife of the region in a grand old museum."),
    idea("Folk and everyday-life museum", "The folk museum", "culture", 90, 10, "Costumes, tools and reconstructed rooms: a museum of how people here really lived."),
    idea("Two short visits in the museum quarter", "The museum quarter", "culture", 180, 25, "Pair two smaller museums a short walk apart, with a coffee between them."),
  ],
  hiking: [
    idea("Hike to a viewpoint", "A trailhead at the edge of town", "adventure", 180, 0, "A marked hiking trail to a viewpoint over {city}; bring water and good shoes."),
    idea("Ridge trail above the city", "A ridge trail", "adventure", 210, 0, "A longer hiking route along the ridge, with a picnic stop and the city below."),
    idea("Guided hike with a local", "The guided hike's meeting point", "adventure", 240, 45, "A small-group hiking day with a guide who knows the paths, the plants and the shortcuts."),
    idea("Forest loop trail", "A forest trail", "nature", 150, 0, "Shady hiking on a loop through the woods, easy to reach by public transport."),
    idea("Along the old footpaths", "Old footpaths", "adventure", 150, 0, "Hiking the old paths between villages and shrines that people walked long before roads."),
    idea("Stairs and lanes: an urban hike", "Hilly lanes", "adventure", 120, 0, "Hiking without leaving town: steep lanes and stairways that link the viewpoints of {area}."),
  ],
  beaches: [
    idea("A swim at the nearest beach", "The nearest beach", "relaxation", 150, 0, "Find the closest beach, lake or river swimming spot and settle in for a swim."),
    idea("An afternoon at a beach club", "A beach club", "relaxation", 180, 30, "A lounger, shade and a long lunch: the easy beach day."),
    idea("Walking the shoreline", "The shoreline path", "nature", 120, 0, "A walk along the beach and shoreline, with coves, piers and seabirds."),
    idea("Water-sports lesson", "A water-sports school", "adventure", 120, 50, "Try paddleboarding, kayaking or surfing with an instructor, off a beach near {city}."),
    idea("Boat trip along the coast", "The harbour or pier", "adventure", 150, 35, "See the beaches and coastline from the water; bring a hat and a layer for the wind."),
    idea("An evening walk on the sand", "A beach after dark", "relaxation", 60, 0, "End the day barefoot on the beach, with the lights of the shore behind you.", "evening"),
  ],
  markets: [
    idea("The main market in full swing", "The main market", "shopping", 90, 10, "The biggest market in {city}: the best produce, the liveliest haggling and something to snack on."),
    idea("Flea market rummage", "The flea market", "shopping", 90, 10, "Bric-a-brac, old photographs and the odd treasure at the flea market."),
    idea("Produce market and its stalls", "A produce market", "food", 75, 10, "Colours and smells of the season at a neighbourhood market; taste as you go."),
    idea("Craft and design market", "A craft market", "shopping", 90, 15, "A market of makers: ceramics, textiles and prints by local hands."),
    idea("The night market", "The night market", "shopping", 120, 15, "Lanterns, snacks and stalls: the market that opens when the sun goes down.", "evening"),
    idea("Flower and plant market", "The flower market", "shopping", 60, 5, "A fragrant market of flowers and plants; a good place for photos and a coffee."),
  ],
  photography: [
    idea("Golden-hour photo walk", "Photogenic old streets", "sightseeing", 90, 0, "Soft morning light on the prettiest streets of {area}: photography before the crowds.", "morning"),
    idea("Photography workshop with a local", "A photo-walk meeting point", "culture", 180, 60, "A local photographer shows you the angles, the light and how to photograph people respectfully."),
    idea("Skyline shots from above", "A high viewpoint", "sightseeing", 60, 10, "A viewpoint chosen for photography: the skyline of {city} and the streets below."),
    idea("A photography exhibition", "A photography gallery", "culture", 75, 10, "Work by the region's best photographers: inspiration for your own photography."),
    idea("Street photography in a busy quarter", "A busy street quarter", "sightseeing", 90, 0, "Shop fronts, signs and street life: street photography in the liveliest part of {area}."),
    idea("Blue-hour night photography", "Lit streets and bridges", "sightseeing", 90, 0, "The short blue hour after sunset, then the city lights: bring a small tripod for night photography.", "evening"),
  ],
};

/** Interests typed in other words that mean one of the lists above. */
export const INTEREST_SYNONYMS: Record<string, string> = {
  museum: "museums", galleries: "art", "art galleries": "art", design: "art", cuisine: "food", eating: "food", "street food": "food",
  market: "markets", beach: "beaches", "the beach": "beaches", hike: "hiking", hikes: "hiking", trekking: "hiking", "the outdoors": "nature",
  outdoors: "nature", parks: "nature", gardens: "nature", "night life": "nightlife", bars: "nightlife", photos: "photography",
  heritage: "history", buildings: "architecture", shops: "shopping",
};
