import { expect, test, type Page } from "@playwright/test";
import { SLOW_LANE } from "./markup";

// useItineraryStatus: polling where server-sent events are unavailable, and recovery after
// the network drops in the middle of a job, both without a reload.

/** A job whose days each take two seconds longer, so tests can act mid-job. */
async function createSlowJob(page: Page, days: number) {
  const response = await page.request.post("/api/itineraries", {
    data: { destination: `${SLOW_LANE}, Valletta`, durationDays: days },
  });
  expect(response.status()).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
}

async function markDocument(page: Page) {
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
}

const sameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

test("refused a stream, the page polls the JSON route to the end", async ({ page }) => {
  // What the server answers past its stream caps; EventSource treats every error status
  // (a proxy's 503 too) alike: it closes for good.
  let streamRequests = 0;
  await page.route("**/api/itineraries/*/events", (route) => {
    streamRequests += 1;
    return route.fulfill({
      status: 429,
      headers: { "retry-after": "10" },
      json: { error: { code: "too_many_streams", message: "This client already has 20 live streams open." } },
    });
  });
  const id = await createSlowJob(page, 4);
  await page.goto(`/itineraries/${id}`);
  await expect(page.getByTestId("status-badge")).toHaveText("processing");
  await markDocument(page);

  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  await expect(page.locator('article[data-testid^="day-"]')).toHaveCount(4);
  expect(streamRequests).toBeGreaterThan(0);
  expect(await sameDocument(page)).toBe(true);
});

test("after the network drops mid-job the page says so, then catches up once it is back", async ({ page, context }) => {
  const id = await createSlowJob(page, 6);
  await page.goto(`/itineraries/${id}`);
  await expect(page.getByTestId("status-badge")).toHaveText("processing");
  await markDocument(page);

  await context.setOffline(true);
  await expect(page.getByText("reconnecting…")).toBeVisible({ timeout: 10_000 });
  // The job carries on on the server while the browser is offline.
  await expect
    .poll(async () => ((await (await page.request.get(`/api/itineraries/${id}`)).json()) as { status: string }).status, {
      timeout: 30_000,
    })
    .toBe("completed");
  await context.setOffline(false);

  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  await expect(page.locator('article[data-testid^="day-"]')).toHaveCount(6);
  await expect(page.getByText("reconnecting…")).toHaveCount(0);
  expect(await sameDocument(page)).toBe(true);
});
