import { expect, test, type Page } from "@playwright/test";

// The form's controls, the page without JavaScript, small screens, layout stability while
// days stream in, and dark mode.

async function createJob(page: Page, days: number, destination = "Porto, Portugal") {
  const response = await page.request.post("/api/itineraries", { data: { destination, durationDays: days } });
  expect(response.status()).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
}

test("the days stepper stays within 1 to 14 and the date picker starts at today", async ({ page }) => {
  await page.goto("/");
  const days = page.getByLabel("Days");
  const fewer = page.getByRole("button", { name: "Remove a day" });
  const more = page.getByRole("button", { name: "Add a day" });
  await expect(page.locator("#durationDays-hint")).toHaveText("1 to 14");

  await expect(days).toHaveValue("3");
  await more.click();
  await expect(days).toHaveValue("4");
  await days.fill("13");
  await more.click();
  await expect(days).toHaveValue("14");
  await expect(more).toBeDisabled();
  await days.fill("2");
  await fewer.click();
  await expect(days).toHaveValue("1");
  await expect(fewer).toBeDisabled();
  await expect(more).toBeEnabled();

  // The picker's lower bound is the visitor's today, so earlier dates cannot be picked.
  const today = await page.evaluate(() => {
    const now = new Date();
    return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
  });
  const startDate = page.getByLabel("Start date");
  await expect(startDate).toHaveAttribute("min", today);

  // A past date typed in anyway is refused by the server, next to the field.
  await page.getByLabel("Where to?").fill("Porto, Portugal");
  await startDate.fill("2020-01-01");
  await page.getByRole("button", { name: "Plan my trip" }).click();
  await expect(page.locator("#startDate-error")).toContainText("past");
  await expect(startDate).toBeFocused();
  await expect(startDate).toHaveValue("2020-01-01");
  await expect(days).toHaveValue("1");
});

test.describe("with JavaScript disabled", () => {
  test.use({ javaScriptEnabled: false });

  test("the form still submits and the status page shows the current state on load", async ({ page }) => {
    await page.goto("/");
    await page.getByLabel("Where to?").fill("Ghent, Belgium");
    await page.getByLabel("Days").fill("2");
    await page.getByText("architecture", { exact: true }).click();
    await page.getByRole("button", { name: "Plan my trip" }).click();

    await page.waitForURL(/\/itineraries\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1, name: "Ghent, Belgium" })).toBeVisible();
    await expect(page.getByTestId("status-badge")).toHaveText(/processing|completed/);

    // Without scripts nothing updates live; each load renders the job as it is now.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expect(page.locator('article[data-testid^="day-"]')).toHaveCount(2);
    await expect(page.getByTestId("trip-title")).toHaveText("Fake trip to Ghent, Belgium");
  });

  test("invalid input comes back with the errors and the values kept", async ({ page }) => {
    await page.goto("/");
    await page.getByLabel("Where to?").fill("Q");
    await page.getByLabel("Days").fill("30");
    await page.getByRole("button", { name: "Plan my trip" }).click();

    await expect(page.locator("#destination-error")).toHaveText("The destination needs at least 2 characters.");
    await expect(page.locator("#durationDays-error")).toHaveText("Plan at most 14 days.");
    await expect(page.getByLabel("Where to?")).toHaveValue("Q");
    await expect(page.getByLabel("Days")).toHaveValue("30");
  });
});

test("pages fit a 360 px wide screen without sideways scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const id = await createJob(page, 2, "Llanfairpwllgwyngyll, Wales");
  const overflow = () =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  for (const path of ["/", "/itineraries"]) {
    await page.goto(path);
    expect(await overflow(), path).toBe(0);
  }
  await page.goto(`/itineraries/${id}`);
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  expect(await overflow(), "status page").toBe(0);
  // The actions wrap instead of overflowing.
  await expect(page.getByRole("button", { name: "Copy share link" })).toBeInViewport();
});

test("days landing one by one do not shift the layout", async ({ page }) => {
  // Tall enough that most of the days are on screen, where a shift counts.
  await page.setViewportSize({ width: 1280, height: 2400 });
  const id = await createJob(page, 10);
  // Record every layout shift from the first paint on (buffered), as the browser scores them.
  await page.addInitScript(() => {
    const win = window as unknown as { __shifts: number[] };
    win.__shifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
        if (!entry.hadRecentInput) win.__shifts.push(entry.value);
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(`/itineraries/${id}`);
  await expect(page.getByTestId("day-10-pending")).toBeVisible();
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  await expect(page.locator('article[data-testid^="day-"]')).toHaveCount(10);

  const shifts = await page.evaluate(() => (window as unknown as { __shifts: number[] }).__shifts);
  const cumulative = shifts.reduce((sum, value) => sum + value, 0);
  test.info().annotations.push({ type: "cumulative layout shift", description: cumulative.toFixed(4) });
  // 0.1 is the Web Vitals line between a good and a poor cumulative layout shift.
  expect(cumulative, `layout shifts: ${JSON.stringify(shifts)}`).toBeLessThan(0.1);
});

test("dark mode follows the system setting", async ({ page }) => {
  // The page background's mean RGB channel (0–255), whatever colour space the CSS uses.
  const backgroundLightness = () =>
    page.evaluate(() => {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 1;
      const context = canvas.getContext("2d");
      if (!context) throw new Error("no 2D canvas");
      context.fillStyle = getComputedStyle(document.body).backgroundColor;
      context.fillRect(0, 0, 1, 1);
      const [r = 0, g = 0, b = 0] = context.getImageData(0, 0, 1, 1).data;
      return (r + g + b) / 3;
    });
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/");
  expect(await backgroundLightness()).toBeGreaterThan(200);
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await backgroundLightness()).toBeLessThan(60);
});
