import { describe, expect, it } from "vitest";
import { exportFileName, itineraryToIcs, itineraryToMarkdown } from "@/lib/itineraries/export";
import { presentItinerary, type ItineraryResource } from "@/lib/domain/presenter";
import { demoDay, demoOutline } from "@/lib/llm/demo-model";
import type { TripData } from "@/lib/llm/prompts";
import { dayTaskFor } from "../helpers/demo-trip";
import { parseIcsEvents } from "../helpers/ics";

const trip: TripData = {
  destination: "Kyoto, Japan",
  durationDays: 3,
  startDate: "2027-04-02",
  interests: [],
  pace: "packed",
  budget: "moderate",
  travellers: 2,
};

function resource(startDate: string | null): ItineraryResource {
  const outline = demoOutline({ task: "outline", trip });
  const days = outline.days.map(({ day }) => demoDay(dayTaskFor({ ...trip, startDate }, outline, day)));
  days[0]!.activities[0]!.title = "Tea, sweets; and a \\ view";
  return presentItinerary(
    {
      id: "6f1c2d4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f",
      status: "completed",
      destination: trip.destination,
      durationDays: 3,
      startDate,
      interests: [],
      pace: "packed",
      budget: "moderate",
      travellers: 2,
      progress: 100,
      outline,
      itinerary: days,
      error: null,
      model: "demo model",
      usage: null,
      createdAt: new Date("2027-03-01T10:00:00.000Z"),
      updatedAt: new Date("2027-03-01T10:00:05.000Z"),
      completedAt: new Date("2027-03-01T10:00:05.000Z"),
    },
    [],
  );
}

describe("calendar export", () => {
  it("with a start date: one timed event per activity on the right days", () => {
    const trip = resource("2027-04-02");
    const events = parseIcsEvents(itineraryToIcs(trip));
    const activities = trip.days.flatMap((day) => day.activities.map((activity) => ({ day: day.day, activity })));
    expect(events).toHaveLength(activities.length);
    const first = events[0]!;
    const { activity } = activities[0]!;
    expect(first.DTSTART).toBe(`20270402T${activity.startTime.replace(":", "")}00`);
    expect(first.SUMMARY).toBe("Tea\\, sweets\\; and a \\\\ view");
    const lastDay = events.filter((event) => event.DTSTART?.startsWith("20270404"));
    expect(lastDay).toHaveLength(trip.days[2]!.activities.length);
    expect(new Set(events.map((event) => event.UID)).size).toBe(events.length);
  });

  it("without a start date: one all-day event per day, from the day after creation", () => {
    const events = parseIcsEvents(itineraryToIcs(resource(null)));
    expect(events.map((event) => event["DTSTART;VALUE=DATE"])).toEqual(["20270302", "20270303", "20270304"]);
    expect(events[0]!["DTEND;VALUE=DATE"]).toBe("20270303");
  });

  it("uses CRLF line endings and folds long lines at 75 octets", () => {
    const ics = itineraryToIcs(resource("2027-04-02"));
    expect(ics.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")).toBe(true);
    for (const line of ics.split("\r\n")) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
  });
});

describe("Markdown export", () => {
  it("has the title, every day and activity, and the tips", () => {
    const trip = resource("2027-04-02");
    const markdown = itineraryToMarkdown(trip);
    expect(markdown).toMatch(/^# 3 days in Kyoto/);
    for (const day of trip.days) {
      expect(markdown).toContain(`## Day ${day.day}: ${day.theme}`);
      for (const activity of day.activities) expect(markdown).toContain(activity.title);
    }
    expect(markdown).toContain("## Tips");
    expect(exportFileName(trip, "md")).toBe("kyoto-japan-itinerary.md");
  });
});
