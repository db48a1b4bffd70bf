import "server-only";
import { createRequire } from "node:module";
import countryToCurrency from "country-to-currency";
import type { Coordinates } from "@/lib/domain/trip";

// Where the demo's trip happens: the destination the traveller typed, looked up in the
// city-timezones gazetteer (about 7,300 cities with their coordinates, country and IANA time
// zone). The gazetteer is read on the first lookup, not on import, so a process that never
// uses the demo model never loads it.

export interface Destination {
  /** How the trip names the place: the gazetteer's spelling, or what the traveller typed. */
  name: string;
  /** The city's point, or null when the destination is not a city we know. */
  center: Coordinates | null;
  timeZone: string | null;
  /** The local currency (ISO 4217); the default when not even the country is known. */
  currency: string;
}

/** Prices for a place we cannot place anywhere. */
export const DEFAULT_CURRENCY = "EUR";

type City = (typeof import("city-timezones"))["cityMapping"][number] & { timezone: string | null };

interface Gazetteer {
  cities: Map<string, City[]>;
  /** Country names, codes and common aliases → ISO 3166 alpha-2. */
  countries: Map<string, string>;
  /** Provinces and states whose name belongs to one country only → that country. */
  provinces: Map<string, string>;
}

/** Lower case, no accents, punctuation as spaces: "São Paulo" and "sao paulo" meet. */
export function normalizePlace(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** English names travellers type for cities the gazetteer spells otherwise. */
const CITY_ALIASES = new Map<string, string>(Object.entries({
  bruges: "brugge",
  ghent: "gent",
  antwerp: "antwerpen",
  kiev: "kyiv",
  marrakech: "marrakesh",
  bangalore: "bengaluru",
  bombay: "mumbai",
  madras: "chennai",
  calcutta: "kolkata",
  saigon: "ho chi minh city",
  samarkand: "samarqand",
  sevilla: "seville",
  cuzco: "cusco",
  macao: "macau",
  peking: "beijing",
  nyc: "new york",
  "new york city": "new york",
  "washington dc": "washington d c",
}));

const COUNTRY_ALIASES = new Map<string, string>(Object.entries({
  usa: "US", "u s a": "US", "u s": "US", "united states": "US", america: "US",
  uk: "GB", "u k": "GB", england: "GB", scotland: "GB", wales: "GB", "northern ireland": "GB", "great britain": "GB", britain: "GB",
  czechia: "CZ", holland: "NL", "the netherlands": "NL", korea: "KR", "republic of korea": "KR", uae: "AE", emirates: "AE",
  vatican: "VA", "vatican city": "VA", "holy see": "VA", "cote d ivoire": "CI", eswatini: "SZ", "north macedonia": "MK",
  "timor leste": "TL", turkiye: "TR", "cabo verde": "CV", bahamas: "BS", gambia: "GM", "viet nam": "VN", burma: "MM",
  drc: "CD", "dr congo": "CD", "democratic republic of the congo": "CD", congo: "CG", "republic of ireland": "IE",
}));

/** The gazetteer's few entries without a usable ISO code. */
const ISO2_BY_COUNTRY = new Map([["Kosovo", "XK"], ["Somaliland", "SO"]]);
const iso2Of = (city: City) => (/^[A-Z]{2}$/.test(String(city.iso2)) ? city.iso2 : (ISO2_BY_COUNTRY.get(city.country) ?? ""));

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function buildGazetteer(cityMapping: readonly City[]): Gazetteer {
  const cities = new Map<string, City[]>();
  const countries = new Map(COUNTRY_ALIASES);
  const provinceCountries = new Map<string, Set<string>>();
  for (const city of cityMapping) {
    const names = new Set([normalizePlace(city.city), normalizePlace(city.city_ascii ?? "")]);
    for (const name of names) if (name) addTo(cities, name, city);
    const iso2 = iso2Of(city);
    if (!iso2) continue;
    countries.set(normalizePlace(city.country), iso2);
    countries.set(iso2.toLowerCase(), iso2);
    if (typeof city.iso3 === "string") countries.set(city.iso3.toLowerCase(), iso2);
    const province = normalizePlace(city.province ?? "");
    if (province) provinceCountries.set(province, (provinceCountries.get(province) ?? new Set()).add(iso2));
  }
  const provinces = new Map<string, string>();
  for (const [province, owners] of provinceCountries) if (owners.size === 1) provinces.set(province, [...owners][0]!);
  return { cities, countries, provinces };
}

let loaded: Gazetteer | undefined;

function gazetteer(): Gazetteer {
  if (!loaded) {
    // A plain require at the first lookup: the data stays out of every bundle and off the
    // cold start of processes that never plan a demo trip.
    const require = createRequire(import.meta.url);
    const { cityMapping } = require("city-timezones") as typeof import("city-timezones");
    loaded = buildGazetteer(cityMapping as readonly City[]);
  }
  return loaded;
}

function citiesNamed(name: string): City[] {
  const { cities } = gazetteer();
  const key = normalizePlace(name);
  const saint = key.replace(/^saint /, "st ");
  return cities.get(key) ?? cities.get(CITY_ALIASES.get(key) ?? "") ?? cities.get(saint) ?? [];
}

/** The country a qualifier such as "Japan", "USA" or "Texas" names, if any. */
function countryNamed(text: string, { codes }: { codes: boolean }): string | null {
  const { countries, provinces } = gazetteer();
  const key = normalizePlace(text);
  if (!codes && key.length <= 3 && !COUNTRY_ALIASES.has(key)) return null;
  return countries.get(key) ?? provinces.get(key) ?? null;
}

function matches(city: City, qualifier: string): boolean {
  const key = normalizePlace(qualifier);
  const names = [city.country, city.province ?? "", city.state_ansi ?? "", city.iso2, city.iso3].map((name) => normalizePlace(String(name)));
  return names.includes(key) || countryNamed(qualifier, { codes: true }) === iso2Of(city);
}

const mostPopulous = (cities: City[]) => cities.reduce((best, city) => (city.pop > best.pop ? city : best));

/** A zone this runtime can use, or null. */
function usableTimeZone(zone: string | null): string | null {
  if (!zone) return null;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone;
  } catch {
    return null;
  }
}

const currencyOf = (iso2: string | null): string =>
  (iso2 && Object.hasOwn(countryToCurrency, iso2) && (countryToCurrency as Record<string, string>)[iso2]) || DEFAULT_CURRENCY;

/** Up to 40 characters of what the traveller typed, cut at a word. */
function shortName(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= 40) return trimmed;
  const cut = trimmed.slice(0, 40);
  const lastSpace = cut.lastIndexOf(" ");
  return (lastSpace > 0 ? cut.slice(0, lastSpace) : cut).trim();
}

function unknownPlace(parts: string[], typed: string): Destination {
  // Not a city we know; the country may still be, for the currency ("Tuscany, Italy").
  const country = [...parts.slice(1).reverse(), parts[0] ?? ""]
    .map((part, index, all) => countryNamed(part, { codes: index < all.length - 1 }))
    .find((found) => found !== null);
  return { name: shortName(parts[0] ?? typed) || "the city", center: null, timeZone: null, currency: currencyOf(country ?? null) };
}

/** The outline and every day of a trip ask about the same destination: the last 100 answers. */
const recent = new Map<string, Destination>();

/**
 * The destination as the demo plans it. "Kyoto, Japan", "Zurich", "Shoreditch, London" and
 * "Washington, D.C." are cities we know; a qualifier that names another country ("Paris,
 * Texas") or a place the gazetteer lacks ("Sintra, Portugal") leaves the trip unplaced.
 */
export function findDestination(typed: string): Destination {
  let found = recent.get(typed);
  if (!found) {
    found = lookUp(typed);
    if (recent.size >= 100) recent.delete(recent.keys().next().value!);
    recent.set(typed, found);
  }
  return found;
}

function lookUp(typed: string): Destination {
  // "Neighbourhood, city, region, country" at most: anything longer is not an address.
  const parts = typed.split(",").map((part) => part.trim()).filter(Boolean).slice(0, 5);
  for (let start = 0; start < parts.length; start += 1) {
    for (let end = parts.length; end > start; end -= 1) {
      const spelled = parts.slice(start, end).join(", ");
      const candidates = citiesNamed(spelled);
      if (candidates.length === 0) continue;
      const qualifiers = parts.slice(end);
      const qualified = candidates.filter((city) => qualifiers.some((qualifier) => matches(city, qualifier)));
      const namesAnotherPlace = qualifiers.some((qualifier) => countryNamed(qualifier, { codes: true }) !== null);
      if (qualifiers.length > 0 && qualified.length === 0 && namesAnotherPlace) return unknownPlace(parts, typed);
      const city = mostPopulous(qualified.length > 0 ? qualified : candidates);
      const sameName = normalizePlace(city.city) === normalizePlace(spelled);
      return {
        name: sameName ? city.city : shortName(spelled),
        center: { latitude: city.lat, longitude: city.lng },
        timeZone: usableTimeZone(city.timezone),
        currency: currencyOf(iso2Of(city)),
      };
    }
  }
  return unknownPlace(parts, typed);
}
