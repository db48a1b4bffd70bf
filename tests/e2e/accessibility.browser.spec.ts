import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { FAILING_REVISION, SLOW_LANE, SLOW_REVISION } from "./markup";

// axe-core (WCAG 2.1 A and AA rules) on every page a traveller sees, and the whole form
// driven from the keyboard alone.

async function violations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    nodes: violation.nodes.map((node) => node.target.join(" ")),
  }));
}

async function createJob(page: Page, days: number, destination = "Lisbon, Portugal") {
  const response = await page.request.post("/api/itineraries", { data: { destination, durationDays: days } });
  return ((await response.json()) as { jobId: string }).jobId;
}

test("the form has no axe violations", async ({ page }) => {
  await page.goto("/");
  expect(await violations(page)).toEqual([]);
});

test("a processing status page has no axe violations", async ({ page }) => {
  const id = await createJob(page, 7, `${SLOW_LANE}, Lisbon`);
  await page.goto(`/itineraries/${id}`);
  await expect(page.getByTestId("status-badge")).toHaveText("processing");
  expect(await violations(page)).toEqual([]);
});

test("a completed status page has no axe violations", async ({ page }) => {
  const id = await createJob(page, 2);
  await page.goto(`/itineraries/${id}`);
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  expect(await violations(page)).toEqual([]);
});

test("a finished trip's days, open for a change, being changed, changed and failed, have no axe violations", async ({ page }) => {
  // Ownerless (the API, on an open server): this browser may change it.
  const id = await createJob(page, 2);
  await page.goto(`/itineraries/${id}`);
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  const [first, second] = [page.getByTestId("day-1"), page.getByTestId("day-2")];

  await first.getByTestId("day-1-change").click();
  await expect(first.getByLabel("How should day 1 change?")).toBeFocused();
  expect(await violations(page)).toEqual([]);

  await first.getByLabel("How should day 1 change?").fill(`make it more relaxed, ${SLOW_REVISION}`);
  await first.getByRole("button", { name: "Change day 1" }).click();
  await expect(first.getByTestId("preview-activity").first()).toBeVisible({ timeout: 20_000 });
  expect(await violations(page)).toEqual([]);

  await expect(first).toHaveAttribute("data-revision", "2", { timeout: 30_000 });
  await second.getByTestId("day-2-change").click();
  await second.getByLabel("How should day 2 change?").fill(FAILING_REVISION);
  await second.getByRole("button", { name: "Change day 2" }).click();
  await expect(second).toHaveAttribute("data-state", "failed", { timeout: 30_000 });
  await expect(first.getByRole("button", { name: "Undo the last change to day 1" })).toBeVisible();
  expect(await violations(page)).toEqual([]);
});

test("the history page has no axe violations", async ({ page }) => {
  await createJob(page, 1);
  await page.goto("/itineraries");
  expect(await violations(page)).toEqual([]);
});

/** Presses Tab until the element has focus, as a keyboard user would; fails if it never does. */
async function tabTo(page: Page, target: Locator) {
  for (let presses = 0; presses < 60; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error("the element cannot be reached with Tab");
}

test("the form can be filled in and submitted with the keyboard alone", async ({ page }) => {
  await page.goto("/");
  await tabTo(page, page.getByLabel("Where to?"));
  await page.keyboard.type("Oslo, Norway");
  await tabTo(page, page.getByLabel("Days"));
  await page.keyboard.press("Control+A");
  await page.keyboard.type("2");
  await tabTo(page, page.getByRole("checkbox", { name: "food" }));
  await page.keyboard.press("Space");
  await expect(page.getByRole("checkbox", { name: "food" })).toBeChecked();
  await tabTo(page, page.getByRole("button", { name: "Plan my trip" }));
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/itineraries\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: "Oslo, Norway" })).toBeVisible();
});
