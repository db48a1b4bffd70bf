import { expect, test } from "@playwright/test";

test.describe("the web form and the live status page", () => {
  test("a trip requested in the form fills in day by day without a reload", async ({ page }) => {
    await page.goto("/");
    await page.getByLabel("Where to?").fill("Kyoto, Japan");
    await page.getByLabel("Days").fill("7");
    await page.getByText("history", { exact: true }).click();
    await page.getByRole("button", { name: "Plan my trip" }).click();

    await page.waitForURL(/\/itineraries\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1, name: "Kyoto, Japan" })).toBeVisible();

    // Mark this document and record how many day cards it shows over time: a reload would
    // lose the marker, and several distinct counts prove the days arrived one batch at a time.
    await page.evaluate(() => {
      const win = window as unknown as { __sameDocument: boolean; __dayCounts: number[] };
      win.__sameDocument = true;
      win.__dayCounts = [];
      const count = () => document.querySelectorAll('article[data-testid^="day-"]').length;
      win.__dayCounts.push(count());
      new MutationObserver(() => {
        const now = count();
        if (win.__dayCounts.at(-1) !== now) win.__dayCounts.push(now);
      }).observe(document.body, { childList: true, subtree: true });
    });

    await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
    await expect(page.locator('article[data-testid^="day-"]')).toHaveCount(7);
    await expect(page.getByTestId("trip-title")).toHaveText("Fake trip to Kyoto, Japan");
    await expect(page.getByRole("heading", { name: "Tips" })).toBeVisible();
    // Once completed, the progress bar and the stage line have done their job and are gone.
    await expect(page.getByRole("progressbar")).toHaveCount(0);
    await expect(page.getByTestId("stage")).toHaveCount(0);
    await expect(page.locator('[data-testid$="-pending"]')).toHaveCount(0);

    const { sameDocument, dayCounts } = await page.evaluate(() => {
      const win = window as unknown as { __sameDocument?: boolean; __dayCounts: number[] };
      return { sameDocument: win.__sameDocument === true, dayCounts: win.__dayCounts };
    });
    expect(sameDocument).toBe(true);
    expect(dayCounts.at(-1)).toBe(7);
    expect(dayCounts.some((count) => count > 0 && count < 7)).toBe(true);
  });

  test("invalid input comes back with field errors, values kept and focus on the first", async ({ page }) => {
    await page.goto("/");
    await page.getByLabel("Where to?").fill("X");
    await page.getByLabel("Days").fill("20");
    await page.getByRole("button", { name: "Plan my trip" }).click();

    await expect(page.locator("#destination-error")).toHaveText("The destination needs at least 2 characters.");
    await expect(page.locator("#durationDays-error")).toHaveText("Plan at most 14 days.");
    await expect(page.getByLabel("Where to?")).toHaveValue("X");
    await expect(page.getByLabel("Days")).toHaveValue("20");
    await expect(page.getByLabel("Where to?")).toBeFocused();
    await expect(page.getByLabel("Where to?")).toHaveAttribute("aria-invalid", "true");
    expect(new URL(page.url()).pathname).toBe("/");
  });

  test("an unknown itinerary shows a friendly not-found page", async ({ page }) => {
    const response = await page.goto("/itineraries/00000000-0000-4000-8000-000000000000");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "We could not find that itinerary" })).toBeVisible();
  });

  test("the history page lists the trips this browser requested", async ({ page }) => {
    // History is private: a trip is this browser's when its form asked for it.
    await page.goto("/");
    await page.getByLabel("Where to?").fill("Oslo, Norway");
    await page.getByLabel("Days").fill("1");
    await page.getByRole("button", { name: "Plan my trip" }).click();
    await page.waitForURL(/\/itineraries\/[0-9a-f-]{36}$/);
    const jobId = new URL(page.url()).pathname.split("/").at(-1)!;

    await page.goto("/itineraries");
    const link = page.locator(`a[href="/itineraries/${jobId}"]`);
    await expect(link).toContainText("Oslo, Norway");
    await link.click();
    await expect(page.getByRole("heading", { level: 1, name: "Oslo, Norway" })).toBeVisible();
  });
});
