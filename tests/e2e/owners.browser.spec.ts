import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { SLOW_LANE } from "./markup";

// Every trip has an owner: the browser whose form asked for it (its httpOnly owner cookie).
// Two browsers, A and B, each with its own cookies: anyone with the link may read a trip,
// only its owner sees it in History and may cancel, retry or delete it. To anyone else a
// change is 404, as for an unknown id, and changes nothing.

/** Plans a trip through the form (the server action sets the owner cookie); its id. */
async function planTrip(page: Page, destination: string, days: number): Promise<string> {
  await page.goto("/");
  await page.getByLabel("Where to?").fill(destination);
  await page.getByLabel("Days").fill(String(days));
  await page.getByRole("button", { name: "Plan my trip" }).click();
  await page.waitForURL(/\/itineraries\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split("/").at(-1)!;
}

const historyLink = (page: Page, id: string) => page.locator(`a[href="/itineraries/${id}"]`);

/** The job as anyone reads it (reads by id are public). */
async function statusOf(request: APIRequestContext, id: string): Promise<string> {
  const response = await request.get(`/api/itineraries/${id}`);
  expect(response.status()).toBe(200);
  return ((await response.json()) as { status: string }).status;
}

/** B's change of A's trip: 404 not_found, as for an unknown id. */
async function expectNotFound(answer: Promise<{ status(): number; json(): Promise<unknown> }>) {
  const response = await answer;
  expect(response.status()).toBe(404);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found");
}

test("a trip is its browser's: in its History only, changed by it only, readable by anyone with the link", async ({ browser }) => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  try {
    const pageA = await a.newPage();
    const pageB = await b.newPage();

    // B owns a trip of its own; A's is slow enough (12 days of SLOW_LANE) to act on mid-job.
    const tripB = await planTrip(pageB, "Gozo, Malta", 1);
    const destination = `${SLOW_LANE}, Mdina`;
    const tripA = await planTrip(pageA, destination, 12);
    const ownerCookie = (await a.cookies()).find((cookie) => cookie.name === "itinera_owner");
    expect(ownerCookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });

    // History is private.
    await pageA.goto("/itineraries");
    await expect(historyLink(pageA, tripA)).toContainText(destination);
    await expect(historyLink(pageA, tripB)).toHaveCount(0);
    await pageB.goto("/itineraries");
    await expect(historyLink(pageB, tripB)).toContainText("Gozo, Malta");
    await expect(historyLink(pageB, tripA)).toHaveCount(0);

    // B, given the link, sees A's trip but no way to change it.
    await pageB.goto(`/itineraries/${tripA}`);
    await expect(pageB.getByRole("heading", { level: 1, name: destination })).toBeVisible();
    await expect(pageB.getByTestId("status-badge")).toHaveText("processing");
    await expect(pageB.getByRole("button", { name: "Copy share link" })).toBeVisible();
    await expect(pageB.getByRole("button", { name: "Cancel" })).toHaveCount(0);

    // B's cancel and delete, with B's cookies: 404, and A's trip carries on.
    await expectNotFound(b.request.post(`/api/itineraries/${tripA}/cancel`));
    await expectNotFound(b.request.delete(`/api/itineraries/${tripA}`));
    expect(await statusOf(b.request, tripA)).toBe("processing");

    // A cancels from its page.
    await pageA.goto(`/itineraries/${tripA}`);
    pageA.once("dialog", (dialog) => void dialog.accept());
    await pageA.getByRole("button", { name: "Cancel" }).click();
    await expect(pageA.getByTestId("status-badge")).toHaveText("cancelled");

    // Cancelled, A's trip could be tried again, but not by B: no button, and 404.
    await pageB.reload();
    await expect(pageB.getByTestId("status-badge")).toHaveText("cancelled");
    await expect(pageB.getByRole("button", { name: "Copy share link" })).toBeVisible();
    await expect(pageB.getByRole("button", { name: "Try again" })).toHaveCount(0);
    await expectNotFound(b.request.post(`/api/itineraries/${tripA}/retry`));
    await expectNotFound(b.request.delete(`/api/itineraries/${tripA}`));
    expect(await statusOf(b.request, tripA)).toBe("cancelled");

    // A tries again from its page: processing again.
    await pageA.getByRole("button", { name: "Try again" }).click();
    await expect(pageA.getByTestId("status-badge")).toHaveText("processing");
    expect(await statusOf(a.request, tripA)).toBe("processing");

    // And A may delete it (which stops the run): gone for everyone.
    expect((await a.request.delete(`/api/itineraries/${tripA}`)).status()).toBe(204);
    expect((await b.request.get(`/api/itineraries/${tripA}`)).status()).toBe(404);
  } finally {
    await a.close();
    await b.close();
  }
});
