import type { ItineraryResource } from "@/lib/domain/resource";
import { knownZone, vtimezone } from "./export-time-zone";
import { formatLongDate, formatMoney, formatPerPerson, formatTravel } from "./format";

// Exports of a finished itinerary, written in the browser from the job resource: Markdown
// to read or share, and an iCalendar file — one event per activity when the trip has a
// start date, one all-day event per day otherwise. The formatters it shares with the page
// (so a cost or a date reads the same everywhere) are in ./format.ts; the page loads this
// module only when someone exports. Everything the model wrote
// is escaped: it is text, never markup or calendar syntax. This module runs in the browser:
// it imports types only from the domain (its runtime modules would bring zod into the bundle),
// save the money formatters, which import nothing.

type Day = ItineraryResource["days"][number];
type Activity = Day["activities"][number];

export { formatLongDate, formatMoney, formatPerPerson, formatTravel } from "./format";

/** The trip's name: the outline's title, else the destination's. */
export const tripName = (resource: ItineraryResource) => resource.outline?.title ?? `${resource.destination} itinerary`;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

// ---- Markdown ----

const LINE_BREAKS = /\r\n|\r|\n|\u2028|\u2029/;

/** One line of model text as inert Markdown: no emphasis, links, HTML or block syntax. */
function markdownLine(line: string): string {
  const inline = line.trim().replace(/[\\`*_[\]<>|~!]/g, (char) => `\\${char}`);
  // What would start a heading, quote, list, rule or setext underline at a line's start.
  return inline.replace(/^([#>+=-])/, "\\$1").replace(/^(\d+)([.)])/, "$1\\$2");
}

/** Model text inside a list item: each line escaped and indented, so it stays in the item. */
function markdownText(text: string, indent = ""): string {
  return text
    .split(LINE_BREAKS)
    .map(markdownLine)
    .filter(Boolean)
    .join(`\n${indent}`);
}

/** Model text on a single line (a heading): line breaks become spaces. */
const markdownInline = (text: string) => markdownLine(text.split(LINE_BREAKS).join(" "));

function markdownActivity(activity: Activity): string[] {
  const facts = [markdownInline(activity.place), `[Open in Maps](<${activity.mapsUrl}>)`];
  if (activity.cost) facts.push(formatPerPerson(activity.cost));
  const lines = [
    `- **${activity.startTime}–${activity.endTime}** · **${markdownInline(activity.title)}** (${activity.category})`,
    `  ${markdownText(activity.description, "  ")}`,
    `  ${facts.join(" · ")}`,
  ];
  if (activity.travelFromPrevious) lines.push(`  ${formatTravel(activity.travelFromPrevious)} from the previous stop`);
  return lines;
}

function markdownDay(day: Day): string[] {
  const when = day.date ? ` · ${formatLongDate(day.date)}` : "";
  const facts = [day.area ? `Area: ${markdownInline(day.area)}` : null, day.estimatedCost ? `Day total: ${formatPerPerson(day.estimatedCost)}` : null];
  const lines = [`## Day ${day.day}${when}: ${markdownInline(day.theme)}`, ""];
  if (facts.some(Boolean)) lines.push(`_${facts.filter(Boolean).join(" · ")}_`, "");
  return [...lines, ...day.activities.flatMap(markdownActivity), ""];
}

/** The trip as Markdown; `pageUrl` is the trip page's absolute URL. */
export function itineraryToMarkdown(resource: ItineraryResource, { pageUrl }: { pageUrl: string }): string {
  const { preferences, days, estimatedTotal: total } = resource;
  const first = days[0]?.date;
  const last = days.at(-1)?.date;
  const dates = first && last ? `${formatLongDate(first)} – ${formatLongDate(last)} (${plural(resource.durationDays, "day")})` : `${plural(resource.durationDays, "day")}, no dates chosen`;
  const lines = [
    `# ${markdownInline(tripName(resource))}`,
    "",
    `- **Destination:** ${markdownInline(resource.destination)}`,
    `- **Dates:** ${dates}`,
    `- **Travellers:** ${preferences.travellers}`,
    `- **Style:** ${preferences.pace} pace, ${preferences.budget} budget`,
  ];
  if (total) {
    const money = (amount: number) => formatMoney({ amount, currency: total.currency });
    lines.push(`- **Estimated total:** ${money(total.perPerson)} per person · ${money(total.allTravellers)} for ${plural(preferences.travellers, "traveller")}`);
  }
  lines.push(`- **Trip page:** <${pageUrl}>`, "");
  if (resource.outline?.summary) lines.push(markdownText(resource.outline.summary), "");
  lines.push(...days.flatMap(markdownDay));
  if (resource.outline?.tips.length) {
    lines.push("## Tips", "", ...resource.outline.tips.map((tip) => `- ${markdownText(tip, "  ")}`), "");
  }
  lines.push("_Planned with Itinera: times, places and costs are estimates; check them before you go._", "");
  return lines.join("\n");
}

// ---- iCalendar (RFC 5545) ----

/** TEXT values: escape backslash, semicolon, comma and every line break; drop other controls. */
const escapeText = (value: string) =>
  value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
    .replace(/[\\;,]/g, (char) => `\\${char}`)
    .replace(/\r\n|\r|\n|\u2028|\u2029/g, "\\n");

/** Lines are at most 75 octets; longer ones continue after CRLF + space. */
function fold(line: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(line).length <= 75) return line;
  const parts: string[] = [];
  let current = "";
  let size = 0;
  for (const char of line) {
    const length = encoder.encode(char).length;
    if (size + length > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = "";
      size = 0;
    }
    current += char;
    size += length;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

const pad = (value: number) => String(value).padStart(2, "0");
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** YYYYMMDD of a UTC midnight. */
const icsDate = (date: Date) => `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
/** YYYYMMDDTHHMMSS of a wall-clock time held in a Date's UTC fields. */
const icsLocal = (wall: Date) => `${icsDate(wall)}T${pad(wall.getUTCHours())}${pad(wall.getUTCMinutes())}00`;
const stamp = (date: Date) => `${icsLocal(date).slice(0, 13)}${pad(date.getUTCSeconds())}Z`;
const addMs = (date: Date, ms: number) => new Date(date.getTime() + ms);

interface CalendarContext {
  resource: ItineraryResource;
  pageUrl: string;
  now: string;
  /** Where the trip's day 1 falls (UTC midnight), and the zone for TZID, if known. */
  start: Date;
  timeZone: string | null;
}

function activityEvent({ resource, pageUrl, now, start, timeZone }: CalendarContext, day: Day, activity: Activity, index: number): string[] {
  const date = addMs(start, (day.day - 1) * DAY_MS);
  const [hours = 0, minutes = 0] = activity.startTime.split(":").map(Number);
  const begin = addMs(date, (hours * 60 + minutes) * MINUTE_MS);
  const when = timeZone ? `;TZID=${timeZone}:` : ":";
  const details = [activity.description, "", `Day ${day.day}: ${day.theme}`];
  if (activity.cost) details.push(`Cost: ${formatPerPerson(activity.cost)}`);
  if (activity.travelFromPrevious) details.push(`Getting there: ${formatTravel(activity.travelFromPrevious)}`);
  details.push(`Open in Maps: ${activity.mapsUrl}`, `Trip: ${pageUrl}`);
  return [
    "BEGIN:VEVENT",
    `UID:${resource.id}-day${day.day}-${index + 1}@itinera`,
    `DTSTAMP:${now}`,
    `DTSTART${when}${icsLocal(begin)}`,
    `DTEND${when}${icsLocal(addMs(begin, activity.durationMinutes * MINUTE_MS))}`,
    `SUMMARY:${escapeText(`${tripName(resource)}: ${activity.title}`)}`,
    `LOCATION:${escapeText(activity.place)}`,
    ...(activity.location ? [`GEO:${activity.location.latitude};${activity.location.longitude}`] : []),
    `DESCRIPTION:${escapeText(details.join("\n"))}`,
    `URL:${pageUrl}`,
    "END:VEVENT",
  ];
}

function dayEvent({ resource, pageUrl, now, start }: CalendarContext, day: Day): string[] {
  const date = addMs(start, (day.day - 1) * DAY_MS);
  const agenda = day.activities.map((activity) => `${activity.startTime}–${activity.endTime} ${activity.title} (${activity.place})`);
  return [
    "BEGIN:VEVENT",
    `UID:${resource.id}-day${day.day}@itinera`,
    `DTSTAMP:${now}`,
    `DTSTART;VALUE=DATE:${icsDate(date)}`,
    `DTEND;VALUE=DATE:${icsDate(addMs(date, DAY_MS))}`,
    `SUMMARY:${escapeText(`${tripName(resource)}: Day ${day.day}, ${day.theme}`)}`,
    `DESCRIPTION:${escapeText([...agenda, "", `Trip: ${pageUrl}`].join("\n"))}`,
    `URL:${pageUrl}`,
    "END:VEVENT",
  ];
}

/**
 * An iCalendar file of the trip. With a start date, events are in the destination's time
 * zone when it is known (TZID plus its VTIMEZONE), floating local times otherwise. Without a
 * start date the days are all-day events placed from the day after the itinerary was made;
 * the calendar says so in its description.
 */
export function itineraryToIcs(resource: ItineraryResource, { pageUrl, now = new Date() }: { pageUrl: string; now?: Date }): string {
  const withDate = resource.startDate !== null;
  const start = withDate
    ? new Date(`${resource.startDate}T00:00:00Z`)
    : addMs(new Date(`${resource.createdAt.slice(0, 10)}T00:00:00Z`), DAY_MS);
  const timeZone = withDate ? knownZone(resource.timeZone) : null;
  const context: CalendarContext = { resource, pageUrl, now: stamp(now), start, timeZone };
  const events = resource.days.flatMap((day) =>
    withDate ? day.activities.flatMap((activity, index) => activityEvent(context, day, activity, index)) : dayEvent(context, day),
  );
  const span = [addMs(start, -2 * DAY_MS), addMs(start, (resource.durationDays + 2) * DAY_MS)] as const;
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Itinera//Itinerary export//EN",
    "CALSCALE:GREGORIAN",
    `X-WR-CALNAME:${escapeText(tripName(resource))}`,
    ...(timeZone ? [`X-WR-TIMEZONE:${timeZone}`, ...vtimezone(timeZone, ...span)] : []),
    ...(withDate ? [] : [`X-WR-CALDESC:${escapeText("No start date was given: the days are placed from the day after the itinerary was made.")}`]),
    ...events,
    "END:VCALENDAR",
  ];
  return `${lines.map(fold).join("\r\n")}\r\n`;
}

export function exportFileName(resource: ItineraryResource, extension: "md" | "ics"): string {
  const slug = resource.destination
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .slice(0, 40);
  return `${slug || "itinerary"}-itinerary.${extension}`;
}
