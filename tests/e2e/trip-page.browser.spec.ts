import { expect, test, type Page } from "@playwright/test";
import { UNMAPPED } from "./markup";

// The finished trip as a traveller uses it: a map per day, the facts of every stop (times,
// travel, place, cost), the totals, no developer text, and a print layout.

type Resource = {
  id: string;
  days: Array<{
    day: number;
    date: string | null;
    activities: Array<{ title: string; mapsUrl: string; location: { latitude: number } | null }>;
  }>;
};

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Console errors and uncaught exceptions of the page, from now on. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/** Requests a trip and opens its page once it is complete; returns its resource. */
async function completedTrip(page: Page, data: Record<string, unknown>): Promise<Resource> {
  const created = await page.request.post("/api/itineraries", { data });
  expect(created.status()).toBe(202);
  const { jobId } = (await created.json()) as { jobId: string };
  await page.goto(`/itineraries/${jobId}`);
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  return (await (await page.request.get(`/api/itineraries/${jobId}`)).json()) as Resource;
}

test("each day has a map whose numbered markers are its located stops, joined in order", async ({ page }) => {
  const errors = collectErrors(page);
  const tiles: number[] = [];
  page.on("response", (response) => {
    if (response.url().includes("/tiles/")) tiles.push(response.status());
  });
  const trip = await completedTrip(page, { destination: "Lisbon, Portugal", durationDays: 2 });

  for (const day of trip.days) {
    const located = day.activities.filter((activity) => activity.location !== null).length;
    expect(located).toBe(2);
    const map = page.getByRole("region", { name: `Map of day ${day.day}`, exact: true });
    await expect(map).toBeVisible();
    await expect(map.locator(".leaflet-marker-icon")).toHaveCount(located);
    await expect(map.locator(".leaflet-marker-icon")).toHaveText(["1", "2"]);
    await expect(map.locator("path.leaflet-interactive, .leaflet-overlay-pane path")).toHaveCount(1);
    await expect(map.getByRole("link", { name: "OpenStreetMap" })).toBeVisible();
  }
  await expect.poll(() => tiles.length).toBeGreaterThan(0);
  expect(tiles.every((status) => status === 200)).toBe(true);

  // A marker opens its activity in the list.
  await page.getByRole("region", { name: "Map of day 1", exact: true }).locator(".leaflet-marker-icon").nth(1).click();
  await expect(page.locator("#day-1-stop-2")).toBeFocused();
  await expect(page.locator("#day-1-stop-2")).toContainText(trip.days[0]!.activities[1]!.title);
  expect(errors).toEqual([]);
});

test("a day without any located activity shows no map", async ({ page }) => {
  const errors = collectErrors(page);
  await completedTrip(page, { destination: `${UNMAPPED}, Lisbon`, durationDays: 2 });
  await expect(page.locator('article[data-testid^="day-"]')).toHaveCount(2);
  await expect(page.getByRole("region", { name: /^Map of day/ })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("when tiles cannot load, the markers and the route still show", async ({ page }) => {
  await page.route("**/tiles/**", (route) => route.abort());
  await completedTrip(page, { destination: "Lisbon, Portugal", durationDays: 1 });
  const map = page.getByRole("region", { name: "Map of day 1", exact: true });
  await expect(map.locator(".leaflet-marker-icon")).toHaveCount(2);
  await expect(map.locator(".leaflet-marker-icon").first()).toBeVisible();
  await expect(map.locator(".leaflet-overlay-pane path")).toBeVisible();
});

test("every stop shows its times, travel, place link and cost; days and the trip their totals", async ({ page }) => {
  const errors = collectErrors(page);
  const startDate = inDays(40);
  const trip = await completedTrip(page, { destination: "Lisbon, Portugal", durationDays: 2, startDate, travellers: 3 });

  const first = page.getByTestId("day-1");
  const weekday = new Date(`${startDate}T00:00:00Z`).toLocaleDateString("en", { weekday: "long", timeZone: "UTC" });
  await expect(first.locator("time").first()).toHaveAttribute("dateTime", startDate);
  await expect(first.locator("header")).toContainText(`Day 1 · ${weekday}`);
  await expect(first.getByTestId("day-facts")).toHaveText("Fake area 1 · Day total: €50 per person");
  await expect(first.locator("#day-1-stop-1")).toContainText("09:00–11:00");
  await expect(first.locator("#day-1-stop-2")).toContainText("13:00–14:30");
  await expect(first.getByTestId("travel")).toHaveText(["15 min walk from the previous stop", "20 min by public transport from the previous stop"]);
  await expect(first.getByTestId("cost")).toHaveText(["Free", "€20 per person", "€30 per person"]);

  const links = first.getByRole("link", { name: "Open in Maps" });
  await expect(links).toHaveCount(3);
  for (const [index, activity] of trip.days[0]!.activities.entries()) {
    await expect(links.nth(index)).toHaveAttribute("href", activity.mapsUrl);
    await expect(links.nth(index)).toHaveAttribute("target", "_blank");
    await expect(links.nth(index)).toHaveAttribute("rel", /noopener/);
  }
  await expect(page.getByTestId("trip-total")).toHaveText("Estimated cost: €100 per person · €300 for 3 travellers");
  await expect(page.getByTestId("trip-facts")).toContainText("3 travellers");
  expect(errors).toEqual([]);
});

test("the page has one header, no progress once complete, and no developer text", async ({ page }) => {
  await completedTrip(page, { destination: "Lisbon, Portugal", durationDays: 1 });
  await expect(page.getByRole("heading", { level: 1 })).toHaveCount(1);
  await expect(page.getByText("Fake trip to Lisbon, Portugal", { exact: true })).toHaveCount(1);
  await expect(page.getByText(/A fake balanced moderate trip/)).toHaveCount(1);
  await expect(page.getByRole("progressbar")).toHaveCount(0);

  const text = await page.locator("main").innerText();
  expect(text).not.toMatch(/OPENAI_API_KEY|OPENAI_BASE_URL|LLM_MODEL|\b[A-Z]+_[A-Z_]{3,}\b/);
  expect(text).not.toMatch(/tokens?\b/i);
  // Model and usage wait in a closed disclosure.
  const about = page.getByTestId("about-plan");
  await expect(about).not.toHaveAttribute("open");
  await about.getByText("About this plan").click();
  await expect(about).toContainText(/fake-model, using [\d,]+ tokens/);
});

test("printed, the trip has its share URL, one day a page, and no controls or progress", async ({ page }) => {
  await completedTrip(page, { destination: "Lisbon, Portugal", durationDays: 2 });
  await expect(page.getByTestId("share-url")).toBeHidden();
  await page.emulateMedia({ media: "print" });
  await expect(page.getByTestId("share-url")).toBeVisible();
  await expect(page.getByTestId("share-url")).toHaveText(`Trip page: ${page.url()}`);
  for (const name of ["Copy share link", "Download Markdown", "Add to calendar (.ics)", "Print"]) {
    await expect(page.getByRole("button", { name })).toBeHidden();
  }
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expect(page.getByTestId("about-plan")).toBeHidden();
  await expect(page.getByRole("region", { name: /^Map of day/ }).first()).toBeHidden();
  const breaks = await page
    .locator('article[data-testid^="day-"]')
    .evaluateAll((cards) => cards.map((card) => getComputedStyle(card).breakBefore));
  expect(breaks).toEqual(["auto", "page"]);
  const text = await page.locator("body").innerText();
  expect(text).not.toMatch(/OPENAI_|tokens?\b/i);
});
