import { expect, test } from "@playwright/test";
import { migratePostgres, startTemporaryPostgres, type TemporaryPostgres } from "../helpers/postgres";
import { startTcpProxy } from "../helpers/tcp-proxy";
import { freePort, startAppServer, type AppServer } from "./helpers/app-server";

// A production server on PostgreSQL behind a proxy that can refuse connections: while the
// database is unreachable the trip page and the history answer an error page in a
// traveller's words (no driver message, no stack), and recover when it is back.

let postgres: TemporaryPostgres | undefined;
let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
let server: AppServer | undefined;

test.afterAll(async () => {
  await server?.stop().catch(() => {});
  await proxy?.close();
  await postgres?.stop();
});

test("during a database outage the trip and history pages say so plainly, then recover", async ({ browser }) => {
  test.setTimeout(180_000);
  postgres = await startTemporaryPostgres();
  await migratePostgres(postgres.url);
  proxy = await startTcpProxy(postgres.port);
  server = await startAppServer({
    port: await freePort(),
    env: {
      DATABASE_URL: postgres.url.replace(`:${postgres.port}/`, `:${proxy.port}/`),
      JOB_RUNNER: "local",
      DEMO_MODEL_LATENCY_MS: "0",
      LOG_LEVEL: "silent",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  const page = await (await browser.newContext({ baseURL: server.url })).newPage();
  await page.goto("/");
  await page.getByLabel("Where to?").fill("Ghent, Belgium");
  await page.getByLabel("Days").fill("1");
  await page.getByRole("button", { name: "Plan my trip" }).click();
  await page.waitForURL(/\/itineraries\/[0-9a-f-]{36}$/);
  const tripUrl = page.url();

  await proxy.setMode("refuse");
  const statuses: number[] = [];
  for (const url of [tripUrl, `${server.url}/itineraries`, tripUrl]) {
    const response = await page.goto(url);
    // An error status, never a 200 that caches or indexes an empty page.
    statuses.push(response?.status() ?? 0);
    expect(response?.status(), url).toBeGreaterThanOrEqual(500);
    await expect(page.getByRole("heading", { name: "Your trips are out of reach for a moment" })).toBeVisible();
    expect(await page.content()).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:\d+|at .*\.js:\d+/);
  }
  // The pages answer 503 up front: proxy.ts probes the database before a trip page reads it.
  expect(statuses).toEqual([503, 503, 503]);

  await proxy.setMode("up");
  await expect(async () => {
    const response = await page.goto(tripUrl);
    expect(response?.status()).toBe(200);
  }).toPass({ timeout: 30_000 });
  await expect(page.getByRole("heading", { level: 1, name: "Ghent, Belgium" })).toBeVisible();
});
