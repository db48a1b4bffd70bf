// The destination's time zone in an iCalendar file, worked out with Intl alone (no zone
// database shipped to the browser): its canonical name, and a VTIMEZONE for the trip's dates.

const MINUTE_MS = 60_000;
const pad = (value: number) => String(value).padStart(2, "0");
/** YYYYMMDDTHHMMSS of a wall-clock time held in a Date's UTC fields. */
const icsLocal = (wall: Date) =>
  `${wall.getUTCFullYear()}${pad(wall.getUTCMonth() + 1)}${pad(wall.getUTCDate())}T${pad(wall.getUTCHours())}${pad(wall.getUTCMinutes())}00`;

/** The canonical IANA name of a zone Intl knows, or null. */
export function knownZone(timeZone: string | null): string | null {
  if (!timeZone) return null;
  try {
    return new Intl.DateTimeFormat("en", { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Minutes the zone is ahead of UTC at an instant. */
function offsetAt(format: Intl.DateTimeFormat, instant: number): number {
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / MINUTE_MS);
}

const utcOffset = (minutes: number) => `${minutes < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`;

/**
 * A VTIMEZONE for the zone over [from, to): the offset at the start and every change within,
 * found with Intl (each observance happens once, which is all the trip's events need).
 */
export function vtimezone(timeZone: string, from: Date, to: Date): string[] {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
  const year = from.getUTCFullYear();
  const standard = Math.min(offsetAt(format, Date.UTC(year, 0, 1)), offsetAt(format, Date.UTC(year, 6, 1)));
  const observance = (start: number, before: number, after: number) => [
    `BEGIN:${after > standard ? "DAYLIGHT" : "STANDARD"}`,
    `DTSTART:${icsLocal(new Date(start + before * MINUTE_MS))}`,
    `TZOFFSETFROM:${utcOffset(before)}`,
    `TZOFFSETTO:${utcOffset(after)}`,
    `END:${after > standard ? "DAYLIGHT" : "STANDARD"}`,
  ];
  let offset = offsetAt(format, from.getTime());
  const lines = ["BEGIN:VTIMEZONE", `TZID:${timeZone}`, ...observance(from.getTime(), offset, offset)];
  for (let hour = from.getTime(); hour < to.getTime(); hour += 60 * MINUTE_MS) {
    if (offsetAt(format, hour + 60 * MINUTE_MS) === offset) continue;
    // The change happened within this hour: find its minute.
    let [low, high] = [hour, hour + 60 * MINUTE_MS];
    while (high - low > MINUTE_MS) {
      const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
      if (offsetAt(format, middle) === offset) low = middle;
      else high = middle;
    }
    const next = offsetAt(format, high);
    lines.push(...observance(high, offset, next));
    offset = next;
  }
  return [...lines, "END:VTIMEZONE"];
}
