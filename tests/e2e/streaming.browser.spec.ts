import { expect, test } from "@playwright/test";
import { SLOW_STREAM } from "./markup";

// Watching a trip being written: the model streams each day slowly, and the page shows an
// activity's words while its day is still being written, then the stored day in its place.

test("an activity shows on the page while its day is still being written, then the stored day replaces it", async ({ page }) => {
  const response = await page.request.post("/api/itineraries", {
    data: { destination: `${SLOW_STREAM}, Valletta`, durationDays: 2 },
  });
  expect(response.status()).toBe(202);
  const { jobId } = (await response.json()) as { jobId: string };
  await page.goto(`/itineraries/${jobId}`);

  const pendingDay = page.getByTestId("day-1-pending");
  const written = pendingDay.getByTestId("preview-activity").first();
  await expect(written).toContainText("Fake activity 1.1", { timeout: 20_000 });
  // Seen while the day is still being written: its step has not finished, so the API has no day 1 yet.
  const job = (await (await page.request.get(`/api/itineraries/${jobId}`)).json()) as { status: string; days: Array<{ day: number }> };
  expect(job.status).toBe("processing");
  expect(job.days.map((day) => day.day)).not.toContain(1);
  await expect(pendingDay).toHaveAttribute("aria-busy", "true");

  // The stored day takes the preview's place.
  const card = page.getByTestId("day-1");
  await expect(card).toContainText("Fake activity 1.1: morning walk", { timeout: 30_000 });
  await expect(pendingDay).toHaveCount(0);
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  await expect(page.getByTestId("preview-activity")).toHaveCount(0);
});
