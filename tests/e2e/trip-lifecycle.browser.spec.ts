import { expect, test, type Page } from "@playwright/test";
import { SLOW_LANE, UNAUTHORIZED } from "./markup";

// A trip's page over its life: the stage in the cards' words while it runs, a failure in a
// traveller's words, a deletion while the page is open; and the app's icon.

async function createJob(page: Page, destination: string, durationDays: number): Promise<string> {
  const response = await page.request.post("/api/itineraries", { data: { destination, durationDays } });
  expect(response.status()).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
}

test("while a trip runs, the stage counts the day cards shown", async ({ page }) => {
  const id = await createJob(page, `${SLOW_LANE}, Lisbon`, 4);
  await page.goto(`/itineraries/${id}`);
  await expect(page.getByTestId("stage")).toHaveText(/^\d of 4 days planned$/, { timeout: 15_000 });
  const seen = new Set<string>();
  for (let check = 0; check < 40 && (await page.getByTestId("stage").count()) > 0; check += 1) {
    const { stage, cards } = await page.evaluate(() => ({
      stage: document.querySelector('[data-testid="stage"]')?.textContent ?? null,
      cards: document.querySelectorAll('article[data-testid^="day-"]').length,
    }));
    if (stage?.endsWith("days planned")) {
      expect(stage.startsWith(`${cards} of 4`), `${stage} with ${cards} cards`).toBe(true);
      seen.add(stage);
    }
    await page.waitForTimeout(250);
  }
  expect(seen.size).toBeGreaterThan(1);
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
});

test("a failed trip says what went wrong without naming the server's settings", async ({ page }) => {
  const id = await createJob(page, `${UNAUTHORIZED}, Lisbon`, 1);
  await page.goto(`/itineraries/${id}`);
  await expect(page.getByTestId("status-badge")).toHaveText("failed", { timeout: 30_000 });
  await expect(page.getByTestId("job-error")).toContainText("The language model refused our credentials (HTTP 401).");
  expect(await page.locator("main").innerText()).not.toMatch(/OPENAI_API_KEY|operator/);
  // The API still tells the operator what to check.
  const resource = (await (await page.request.get(`/api/itineraries/${id}`)).json()) as { error: string };
  expect(resource.error).toContain("OPENAI_API_KEY");
});

test("a trip deleted while its page is open says so and stops listening", async ({ page }) => {
  const id = await createJob(page, `${SLOW_LANE}, Lisbon`, 6);
  const requests: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes(`/api/itineraries/${id}`)) requests.push(request.url());
  });
  await page.goto(`/itineraries/${id}`);
  await expect(page.getByTestId("status-badge")).toHaveText("processing");

  const deleted = await page.request.delete(`/api/itineraries/${id}`);
  expect(deleted.status()).toBe(204);
  await expect(page.getByRole("heading", { level: 1, name: "This trip was deleted" })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId("status-badge")).toHaveCount(0);

  const after = requests.length;
  await page.waitForTimeout(4_000);
  expect(requests.slice(after)).toEqual([]);
});

test("the app has an icon: /favicon.ico answers, and pages link an icon", async ({ page }) => {
  const favicon = await page.request.get("/favicon.ico");
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()["content-type"]).toMatch(/^image\//);
  await page.goto("/");
  const icons = page.locator('link[rel="icon"]');
  expect(await icons.count()).toBeGreaterThan(0);
  for (const href of await icons.evaluateAll((links) => links.map((link) => (link as HTMLLinkElement).href))) {
    expect((await page.request.get(href)).status(), href).toBe(200);
  }
});

test("the pages log no console errors", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
  const id = await createJob(page, "Lisbon, Portugal", 1);
  for (const path of ["/", "/itineraries", `/itineraries/${id}`]) await page.goto(path);
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  await expect(page.getByRole("region", { name: "Map of day 1", exact: true }).locator(".leaflet-marker-icon")).toHaveCount(2);
  expect(errors).toEqual([]);
});
