import ICAL from "ical.js";
import { marked, type Token, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { exportFileName, formatMoney, formatTravel, itineraryToIcs, itineraryToMarkdown } from "@/lib/itineraries/export";
import { lisbonTrip, TRIP_ID } from "../helpers/trip-resource";

const PAGE_URL = `https://trips.example/itineraries/${TRIP_ID}`;

/** The calendar as ical.js reads it, with its own VTIMEZONEs registered so TZIDs resolve. */
function readCalendar(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  ICAL.TimezoneService.reset();
  for (const zone of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => new ICAL.Event(vevent));
  return { calendar, events };
}

describe("calendar export", () => {
  it("puts timed events in the destination's zone, across its clock change", () => {
    const trip = lisbonTrip();
    const { calendar, events } = readCalendar(itineraryToIcs(trip, { pageUrl: PAGE_URL }));
    expect(calendar.getFirstSubcomponent("vtimezone")?.getFirstPropertyValue("tzid")).toBe("Europe/Lisbon");
    expect(events).toHaveLength(4);
    for (const event of events) {
      expect(event.component.getFirstProperty("dtstart")?.getParameter("tzid")).toBe("Europe/Lisbon");
      expect(event.startDate.zone?.tzid).toBe("Europe/Lisbon");
    }
    // 09:00 in Lisbon is 09:00 UTC before 28 March 2027 (WET) and 08:00 UTC after it (WEST).
    expect(events[0]!.startDate.toJSDate().toISOString()).toBe("2027-03-27T09:00:00.000Z");
    expect(events[0]!.endDate.toJSDate().toISOString()).toBe("2027-03-27T10:30:00.000Z");
    expect(events[3]!.startDate.toJSDate().toISOString()).toBe("2027-03-29T08:00:00.000Z");
  });

  it("prefixes titles with the trip's name, links back to the trip and keeps model text intact", () => {
    const trip = lisbonTrip();
    const { events } = readCalendar(itineraryToIcs(trip, { pageUrl: PAGE_URL }));
    const activities = trip.days.flatMap((day) => day.activities);
    expect(events.map((event) => event.summary)).toEqual(activities.map((activity) => `Three days of Lisbon light: ${activity.title}`));
    expect(events[0]!.summary).toBe("Three days of Lisbon light: Tea, sweets; and a \\ view");
    for (const event of events) expect(event.component.getFirstPropertyValue("url")).toBe(PAGE_URL);
    // A lone CR is a line break inside the value, not the end of the property.
    expect(events[1]!.location).toBe("Rua dos\nRemédios");
    expect(events[1]!.description).toContain("Line one\n# Not a heading\n===\n- not a list\n<script>alert(1)</script>");
    expect(events[1]!.description).toContain("Cost: €22.50 per person");
    expect(events[1]!.description).toContain("Getting there: 12 min walk");
    expect(events[1]!.description).toContain(`Trip: ${PAGE_URL}`);
    expect(events[0]!.component.getFirstPropertyValue("geo")).toEqual([38.7139, -9.1334]);
  });

  it("writes floating times when the zone is unknown or not a real zone", () => {
    for (const timeZone of [null, "Mars/Olympus_Mons"]) {
      const ics = itineraryToIcs(lisbonTrip({ outline: { timeZone } }), { pageUrl: PAGE_URL });
      expect(ics).not.toContain("VTIMEZONE");
      const { events } = readCalendar(ics);
      expect(events[0]!.component.getFirstProperty("dtstart")?.getParameter("tzid")).toBeUndefined();
      expect(events[0]!.startDate.zone?.tzid).toBe("floating");
      expect(events[0]!.startDate.toString()).toBe("2027-03-27T09:00:00");
    }
  });

  it("without a start date: one all-day event per day, from the day after creation", () => {
    const { events } = readCalendar(itineraryToIcs(lisbonTrip({ startDate: null }), { pageUrl: PAGE_URL }));
    expect(events.map((event) => event.startDate.toString())).toEqual(["2027-03-02", "2027-03-03", "2027-03-04"]);
    expect(events.every((event) => event.startDate.isDate)).toBe(true);
    expect(events[0]!.summary).toBe("Three days of Lisbon light: Day 1, Theme of day 1");
    expect(events[0]!.component.getFirstPropertyValue("url")).toBe(PAGE_URL);
  });

  it("uses CRLF line endings, folds long lines at 75 octets and gives each event its own UID", () => {
    const ics = itineraryToIcs(lisbonTrip(), { pageUrl: PAGE_URL });
    expect(ics.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")).toBe(true);
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    for (const line of ics.split("\r\n")) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    const { events } = readCalendar(ics);
    expect(new Set(events.map((event) => event.uid)).size).toBe(events.length);
  });
});

/** Every token of a Markdown document, nested ones included. */
function allTokens(tokens: Token[]): Token[] {
  return tokens.flatMap((token) => {
    const children = [...("tokens" in token && token.tokens ? token.tokens : []), ...("items" in token && Array.isArray(token.items) ? (token.items as Token[]) : [])];
    return [token, ...allTokens(children)];
  });
}

describe("Markdown export", () => {
  const trip = lisbonTrip();
  const markdown = itineraryToMarkdown(trip, { pageUrl: PAGE_URL });
  const tokens = allTokens(marked.lexer(markdown));

  it("has exactly the trip's headings: model text never starts a heading, HTML or a list of its own", () => {
    const headings = tokens
      .filter((token): token is Tokens.Heading => token.type === "heading")
      .map((token) => `${"#".repeat(token.depth)} ${token.text}`);
    expect(headings).toEqual([
      "# Three days of Lisbon light",
      "## Day 1 · Saturday 27 March 2027: Theme of day 1",
      "## Day 2 · Sunday 28 March 2027: Theme of day 2",
      "## Day 3 · Monday 29 March 2027: Theme of day 3",
      "## Tips",
    ]);
    expect(tokens.filter((token) => token.type === "html")).toEqual([]);
    expect(tokens.filter((token) => token.type === "hr" || token.type === "code")).toEqual([]);
    expect(tokens.filter((token) => token.type === "em" && token.text.includes("still text"))).toEqual([]);
    const html = marked.parse(markdown, { async: false });
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; *still text*");
    expect(html).toContain("Line one\n# Not a heading");
  });

  it("lists dates with weekdays, travellers, totals, costs, travel and a link back to the trip", () => {
    expect(markdown).toContain("**Dates:** Saturday 27 March 2027 – Monday 29 March 2027 (3 days)");
    expect(markdown).toContain("**Travellers:** 2");
    expect(markdown).toContain("**Estimated total:** €52.50 per person · €105 for 2 travellers");
    expect(markdown).toContain("_Area: Area 1 · Day total: €37.50 per person_");
    expect(markdown).toContain("**09:00–10:30**");
    expect(markdown).toContain("12 min walk from the previous stop");
    expect(markdown).toContain("· Free");
    const links = tokens.filter((token): token is Tokens.Link => token.type === "link").map((token) => token.href);
    expect(links).toContain(PAGE_URL);
    expect(links).toContain(trip.days[0]!.activities[0]!.mapsUrl);
    expect(exportFileName(trip, "md")).toBe("lisbon-portugal-itinerary.md");
  });

  it("says when no dates were chosen", () => {
    expect(itineraryToMarkdown(lisbonTrip({ startDate: null }), { pageUrl: PAGE_URL })).toContain("**Dates:** 3 days, no dates chosen");
  });
});

describe("shared formatters", () => {
  it("formats costs with their currency, 0 as Free, and travel in minutes and hours", () => {
    expect(formatMoney({ amount: 0, currency: "EUR" })).toBe("Free");
    expect(formatMoney({ amount: 1500, currency: "JPY" })).toBe("¥1,500");
    expect(formatMoney({ amount: 12.5, currency: "USD" })).toBe("$12.50");
    expect(formatTravel({ mode: "walk", minutes: 12 })).toBe("12 min walk");
    expect(formatTravel({ mode: "ferry", minutes: 65 })).toBe("1 h 5 min by ferry");
    expect(formatTravel({ mode: "transit", minutes: 120 })).toBe("2 h by public transport");
  });
});
