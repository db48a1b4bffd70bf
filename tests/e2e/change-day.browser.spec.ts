import { expect, test, type Locator, type Page } from "@playwright/test";
import { FAILING_REVISION, SLOW_REVISION } from "./markup";

// Changing a day of a finished trip from its page: in words ("Change this day"), by removing
// a stop, and back with Undo. The page follows the day live while the model rewrites it; the
// forms work without JavaScript too; only the trip's owner sees any of it. The fake model
// answers a revision with the day's first stop titled "Revised: <instruction>".

/** Plans a trip through the form (the server action makes this browser its owner) and waits until it is done. */
async function planFinishedTrip(page: Page, destination: string, days: number): Promise<string> {
  await page.goto("/");
  await page.getByLabel("Where to?").fill(destination);
  await page.getByLabel("Days").fill(String(days));
  await page.getByRole("button", { name: "Plan my trip" }).click();
  await page.waitForURL(/\/itineraries\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 30_000 });
  return new URL(page.url()).pathname.split("/").at(-1)!;
}

const stopTitles = (card: Locator) => card.locator("ol > li p.font-medium");

/** Opens the day's "Change this day" field, types the instruction and sends it. */
async function changeDay(page: Page, day: number, instruction: string) {
  const card = page.getByTestId(`day-${day}`);
  await card.getByTestId(`day-${day}-change`).click();
  const field = card.getByLabel(`How should day ${day} change?`);
  await expect(field).toBeFocused();
  await field.fill(instruction);
  await card.getByRole("button", { name: `Change day ${day}` }).click();
}

test("the owner changes a day and watches the new plan arrive live, then undoes it", async ({ page }) => {
  await planFinishedTrip(page, "Porto, Portugal", 2);
  const card = page.getByTestId("day-2");
  const firstBefore = await stopTitles(card).first().textContent();
  // Marks this document: a reload would lose it.
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

  const instruction = `swap the museum for a food market, ${SLOW_REVISION}`;
  await changeDay(page, 2, instruction);

  // Revising: said so on the card and to screen readers, focus on the day, the new plan streaming in.
  await expect(card).toHaveAttribute("data-state", "revising");
  await expect(card.getByTestId("day-2-revising")).toBeVisible();
  await expect(page.getByTestId("day-change-announcement")).toHaveText("Day 2 is being changed.");
  await expect(card.getByRole("heading", { level: 3 })).toBeFocused();
  await expect(card.getByTestId("preview-activity").first()).toContainText(`Revised: ${instruction}`, { timeout: 20_000 });
  await expect(card.getByTestId(`day-2-change`)).toHaveCount(0);

  // Landed: the stored plan, its revision marker, and Undo.
  await expect(card).toHaveAttribute("data-state", "ready", { timeout: 30_000 });
  await expect(card).toHaveAttribute("data-revision", "2");
  await expect(stopTitles(card).first()).toHaveText(`Revised: ${instruction}`);
  await expect(card.getByTestId("preview-activity")).toHaveCount(0);
  await expect(card.getByTestId("day-2-revision")).toHaveText("Changed · version 2");
  await expect(page.getByTestId("day-change-announcement")).toHaveText("Day 2 changed.");
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

  // Undo puts the first plan back.
  await card.getByRole("button", { name: "Undo the last change to day 2" }).click();
  await expect(card).toHaveAttribute("data-revision", "1");
  await expect(stopTitles(card).first()).toHaveText(firstBefore!);
  await expect(card.getByTestId("day-2-revision")).toHaveCount(0);
  await expect(page.getByTestId("day-change-announcement")).toHaveText("Day 2 is back to its earlier version.");
  await expect(card.getByRole("heading", { level: 3 })).toBeFocused();

  // And the server agrees.
  const stored = (await (await page.request.get(new URL(page.url()).pathname.replace("/itineraries", "/api/itineraries"))).json()) as {
    days: Array<{ day: number; revision: number; state: string }>;
  };
  expect(stored.days.find((day) => day.day === 2)).toMatchObject({ revision: 1, state: "ready" });
});

test("the owner removes a stop and puts it back with Undo, from the keyboard", async ({ page }) => {
  await planFinishedTrip(page, "Braga, Portugal", 1);
  const card = page.getByTestId("day-1");
  const titles = await stopTitles(card).allTextContents();
  expect(titles.length).toBeGreaterThan(1);

  await card.getByRole("button", { name: `Remove stop 2: ${titles[1]}` }).click();
  await expect(stopTitles(card)).toHaveText(titles.filter((_, index) => index !== 1));
  await expect(card).toHaveAttribute("data-revision", "2");
  // Focus waits on Undo, so putting the stop back is one key away.
  const undo = card.getByRole("button", { name: "Undo the last change to day 1" });
  await expect(undo).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(stopTitles(card)).toHaveText(titles);
  await expect(card).toHaveAttribute("data-revision", "1");
});

test("a change that fails says why, keeps the plan, and can be tried again", async ({ page }) => {
  await planFinishedTrip(page, "Coimbra, Portugal", 1);
  const card = page.getByTestId("day-1");
  const titles = await stopTitles(card).allTextContents();

  await changeDay(page, 1, `make it ${FAILING_REVISION}`);
  await expect(card).toHaveAttribute("data-state", "failed", { timeout: 30_000 });
  await expect(card.getByTestId("day-1-revision-error")).toContainText("could not be changed");
  await expect(card.getByTestId("day-1-revision-error")).toContainText("rejected the request");
  await expect(page.getByTestId("day-change-announcement")).toContainText("Day 1 could not be changed");
  await expect(stopTitles(card)).toHaveText(titles);

  // "Try again" opens the field once more; this time the change lands.
  await expect(card.getByTestId("day-1-change")).toContainText("Try again");
  await changeDay(page, 1, "make it more relaxed");
  await expect(card).toHaveAttribute("data-state", "ready", { timeout: 30_000 });
  await expect(stopTitles(card).first()).toHaveText("Revised: make it more relaxed");
  await expect(card.getByTestId("day-1-revision-error")).toHaveCount(0);
});

test("an empty instruction is refused in the field, with focus kept there", async ({ page }) => {
  await planFinishedTrip(page, "Faro, Portugal", 1);
  const card = page.getByTestId("day-1");
  await card.getByTestId("day-1-change").click();
  const field = card.getByLabel("How should day 1 change?");
  await field.fill("   ");
  await card.getByRole("button", { name: "Change day 1" }).click();
  await expect(card.getByTestId("day-1-change-message")).toHaveText("Say how to change the day.");
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toBeFocused();
  // Escape closes the field and gives focus back to its button.
  await page.keyboard.press("Escape");
  await expect(field).toBeHidden();
  await expect(card.getByTestId("day-1-change")).toBeFocused();
  await expect(card).toHaveAttribute("data-revision", "1");
});

test("a stranger with the link sees the trip but no way to change its days", async ({ browser }) => {
  const owner = await browser.newContext();
  const stranger = await browser.newContext();
  try {
    const ownerPage = await owner.newPage();
    const id = await planFinishedTrip(ownerPage, "Évora, Portugal", 2);
    await expect(ownerPage.getByTestId("day-1-change")).toBeVisible();

    const page = await stranger.newPage();
    await page.goto(`/itineraries/${id}`);
    await expect(page.getByTestId("day-1")).toBeVisible();
    await expect(page.getByTestId("day-2")).toBeVisible();
    await expect(page.getByText("Change this day")).toHaveCount(0);
    await expect(page.getByTestId("remove-stop")).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Undo/ })).toHaveCount(0);
    await expect(page.locator("textarea")).toHaveCount(0);
    // And the API refuses the stranger: not found, as for an unknown trip.
    const refused = await stranger.request.post(`/api/itineraries/${id}/days/1/revisions`, { data: { instruction: "no museums" } });
    expect(refused.status()).toBe(404);
  } finally {
    await owner.close();
    await stranger.close();
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  /** Reloads until the day's state and revision are as expected (no live updates without JavaScript). */
  async function reloadUntil(page: Page, day: number, revision: number) {
    const card = page.getByTestId(`day-${day}`);
    await expect(async () => {
      await page.reload();
      await expect(card).toHaveAttribute("data-state", "ready", { timeout: 1_000 });
      await expect(card).toHaveAttribute("data-revision", String(revision), { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
  }

  test("the instruction form, Undo and Remove post to the server and the page shows the result", async ({ page }) => {
    await page.goto("/");
    await page.getByLabel("Where to?").fill("Sintra, Portugal");
    await page.getByLabel("Days").fill("1");
    await page.getByRole("button", { name: "Plan my trip" }).click();
    await page.waitForURL(/\/itineraries\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split("/").at(-1)!;
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("status-badge")).toHaveText("completed", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });

    const card = page.getByTestId("day-1");
    const titles = await stopTitles(card).allTextContents();
    // The field opens natively (a disclosure) and lists examples in its hint.
    await card.getByTestId("day-1-change").click();
    await expect(card.getByText("make it more relaxed")).toBeVisible();
    await card.getByLabel("How should day 1 change?").fill("no museums");
    await card.getByRole("button", { name: "Change day 1" }).click();

    // Redirected back to the trip, which shows the day being changed (or already changed).
    await page.waitForURL(new RegExp(`/itineraries/${id}(#day-1)?$`));
    await expect(card).toHaveAttribute("data-state", /revising|ready/);
    expect(["revising", "ready"]).toContain(await card.getAttribute("data-state"));
    await reloadUntil(page, 1, 2);
    await expect(stopTitles(card).first()).toHaveText("Revised: no museums");

    // Undo, then Remove, each a form post.
    await card.getByRole("button", { name: "Undo the last change to day 1" }).click();
    await page.waitForURL(new RegExp(`/itineraries/${id}(#day-1)?$`));
    await expect(card).toHaveAttribute("data-revision", "1");
    await expect(stopTitles(card)).toHaveText(titles);

    await card.getByRole("button", { name: `Remove stop 1: ${titles[0]}` }).click();
    await page.waitForURL(new RegExp(`/itineraries/${id}(#day-1)?$`));
    // A new revision: numbers are never reused, so after 2 (undone) comes 3.
    await expect(card).toHaveAttribute("data-revision", "3");
    await expect(stopTitles(card)).toHaveText(titles.slice(1));
  });
});
