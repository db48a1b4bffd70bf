import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { parseIcsEvents } from "../helpers/ics";
import { SLOW_LANE } from "./markup";

// What a traveller can do with a job from its page: export it, cancel it, try it again.

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function downloadText(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  return { name: download.suggestedFilename(), text: await readFile((await download.path())!, "utf8") };
}

test("a finished itinerary exports as Markdown and as a calendar with one event per activity", async ({ page, request }) => {
  const startDate = inDays(30);
  const created = await request.post("/api/itineraries", { data: { destination: "Porto, Portugal", durationDays: 2, startDate } });
  const { jobId } = (await created.json()) as { jobId: string };
  await page.goto(`/itineraries/${jobId}`);
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  const job = (await (await request.get(`/api/itineraries/${jobId}`)).json()) as {
    itinerary: Array<{ day: number; theme: string; activities: Array<{ title: string; startTime: string }> }>;
  };

  const markdown = await downloadText(page, "Download Markdown");
  expect(markdown.name).toBe("porto-portugal-itinerary.md");
  // Each day's heading carries its date with the weekday.
  for (const day of job.itinerary) expect(markdown.text).toMatch(new RegExp(`^## Day ${day.day} · [A-Z][a-z]+day \\d+ [A-Z][a-z]+ \\d{4}: ${day.theme}$`, "m"));

  const calendar = await downloadText(page, "Add to calendar (.ics)");
  expect(calendar.name).toBe("porto-portugal-itinerary.ics");
  const events = parseIcsEvents(calendar.text);
  const activities = job.itinerary.flatMap((day) => day.activities);
  expect(events).toHaveLength(activities.length);
  const compact = startDate.replaceAll("-", "");
  // The fake model places the trip in Europe/Lisbon: times are that zone's wall-clock times.
  expect(events[0]?.["DTSTART;TZID=Europe/Lisbon"]).toBe(`${compact}T${activities[0]!.startTime.replace(":", "")}00`);
  expect(events[0]?.URL).toBe(page.url());
  expect(markdown.text).toContain(`<${page.url()}>`);
});

test("cancel with confirmation, then try again: the job finishes without a reload", async ({ page, request }) => {
  const created = await request.post("/api/itineraries", { data: { destination: `${SLOW_LANE}, Seville`, durationDays: 7 } });
  const { jobId } = (await created.json()) as { jobId: string };
  await page.goto(`/itineraries/${jobId}`);
  await expect(page.getByTestId("status-badge")).toHaveText("processing");

  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("status-badge")).toHaveText("cancelled");
  await expect(page.getByText("This itinerary was cancelled.")).toBeVisible();

  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  await expect(page.locator('article[data-testid^="day-"]')).toHaveCount(7);
});
