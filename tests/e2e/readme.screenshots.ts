import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { freePort, startAppServer, type AppServer } from "./helpers/app-server";

// `npm run screenshots`: the README's pictures, taken from the production build running on
// its keyless defaults (demo model, embedded database), as someone trying Itinera sees it.
// The demo model is slowed down so the processing picture catches days mid-stream.

const OUTPUT_DIR = path.resolve(import.meta.dirname, "../../docs/screenshots");
const DAYS = 5;

let server: AppServer | undefined;
let pgliteDir: string | undefined;

test.beforeAll(async () => {
  pgliteDir = await mkdtemp(path.join(tmpdir(), "itinera-screenshots-"));
  server = await startAppServer({
    port: await freePort(),
    env: {
      PGLITE_DIR: pgliteDir,
      JOB_RUNNER: "local",
      DEMO_MODEL_LATENCY_MS: "2500",
      LLM_CONCURRENCY: "2",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
});

test.afterAll(async () => {
  await server?.stop();
  if (pgliteDir) await rm(pgliteDir, { recursive: true, force: true });
});

test.use({ viewport: { width: 1200, height: 1000 }, colorScheme: "light" });

const shoot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: path.join(OUTPUT_DIR, `${name}.png`), fullPage, animations: "disabled" });

test("capture the form, a trip taking shape and the finished itinerary", async ({ page }) => {
  test.setTimeout(120_000);
  if (!server) throw new Error("the app server did not start");
  await page.goto(server.url);
  await page.getByLabel("Where to?").fill("Kyoto, Japan");
  await page.getByLabel("Days").fill(String(DAYS));
  for (const interest of ["food", "history", "architecture"]) {
    await page.getByText(interest, { exact: true }).click();
  }
  await page.getByText("relaxed", { exact: true }).click();
  await page.getByLabel("Where to?").blur();
  await shoot(page, "form");

  await page.getByRole("button", { name: "Plan my trip" }).click();
  await page.waitForURL(/\/itineraries\/[0-9a-f-]{36}$/);
  // Some days in, one being written (its first stops showing), others still coming.
  await expect
    .poll(
      async () =>
        (await page.locator('article[data-testid^="day-"]').count()) >= 1 && (await page.getByTestId("preview-activity").count()) >= 2,
      { timeout: 60_000, intervals: [100] },
    )
    .toBe(true);
  await expect(page.getByTestId("status-badge")).toHaveText("processing");
  await shoot(page, "processing", true);

  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 60_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot(page, "completed", true);

  await page.emulateMedia({ colorScheme: "dark" });
  await shoot(page, "completed-dark");
});

test("capture a changed day", async ({ page }) => {
  test.setTimeout(120_000);
  if (!server) throw new Error("the app server did not start");
  await page.goto(server.url);
  await page.getByLabel("Where to?").fill("Kyoto, Japan");
  await page.getByLabel("Days").fill("2");
  await page.getByText("food", { exact: true }).click();
  await page.getByRole("button", { name: "Plan my trip" }).click();
  await page.waitForURL(/\/itineraries\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 60_000 });

  // A day changed in words: its new plan, the revision marker and Undo.
  const day = page.getByTestId("day-2");
  await day.getByTestId("day-2-change").click();
  await day.getByLabel("How should day 2 change?").fill("make it more relaxed");
  await day.getByRole("button", { name: "Change day 2" }).click();
  await expect(day).toHaveAttribute("data-revision", "2", { timeout: 60_000 });
  await expect(day).toHaveAttribute("data-state", "ready");
  await page.mouse.move(0, 0);
  await day.screenshot({ path: path.join(OUTPUT_DIR, "revised-day.png"), animations: "disabled" });
});
