import { execFileSync } from "node:child_process";
import { defineConfig, devices } from "@playwright/test";
import { findChromium } from "./scripts/chromium.mjs";

// Browser and API tests against the production build (`next build` + `next start`) with the
// local runner, a throwaway embedded database and the fake OpenAI-compatible server.

/**
 * Free ports for the app and the fake model server, chosen once and kept in the environment:
 * the config is loaded again in every worker (and by global-setup), and each must see the
 * same ports. E2E_APP_PORT and FAKE_OPENAI_PORT, when set, fix them instead.
 */
function portsFromEnv<const Name extends string>(names: readonly Name[]): Record<Name, number> {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    // Synchronously (a config loads synchronously) and all at once (so no two are the same).
    const script =
      "const net = require('node:net');" +
      "const servers = Array.from({ length: Number(process.argv[1]) }, () => net.createServer().listen(0, '127.0.0.1'));" +
      "Promise.all(servers.map((s) => new Promise((r) => s.once('listening', r)))).then(() => {" +
      "process.stdout.write(servers.map((s) => s.address().port).join(' ')); servers.forEach((s) => s.close()); });";
    const picked = execFileSync(process.execPath, ["-e", script, String(missing.length)], { encoding: "utf8" }).split(" ");
    missing.forEach((name, index) => (process.env[name] = picked[index]));
  }
  const ports = {} as Record<Name, number>;
  for (const name of names) {
    const port = Number(process.env[name]);
    if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
      throw new Error(`${name} must be a port number, got "${process.env[name]}".`);
    }
    ports[name] = port;
  }
  return ports;
}

const ports = portsFromEnv(["E2E_APP_PORT", "FAKE_OPENAI_PORT", "MAP_TILE_PORT"]);
const APP_PORT = ports.E2E_APP_PORT;
export const FAKE_OPENAI_PORT = ports.FAKE_OPENAI_PORT;
/** The stand-in tile server global-setup starts (tests reach no other host). */
export const MAP_TILE_PORT = ports.MAP_TILE_PORT;
export const E2E_WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// E2E_SERVER_URL: test a server you started yourself instead of building and starting one
// (start it with the webServer env below and a fixed FAKE_OPENAI_PORT). Without it the tests
// never use a server they did not start: if the port is taken, the run fails.
const externalServer = process.env.E2E_SERVER_URL?.replace(/\/+$/, "") || undefined;
const baseURL = externalServer ?? `http://127.0.0.1:${APP_PORT}`;

// CHROMIUM_PATH, else a system Chromium, else Playwright's own (see scripts/chromium.mjs).
const chromium = findChromium();
const launchOptions = {
  executablePath: "problem" in chromium ? undefined : chromium.executablePath,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
  ],
};

export default defineConfig({
  testDir: "./tests/e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  timeout: 60_000,
  expect: { timeout: 15_000 },
  globalSetup: "./tests/e2e/global-setup.ts",
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions,
  },
  projects: [
    { name: "api", testMatch: /.*\.api\.spec\.ts/ },
    // Starts and kills its own production servers (built by the webServer step below).
    { name: "reliability", testMatch: /.*\.reliability\.spec\.ts/ },
    // Fails, saying what to install, when there is no Chromium; the browser projects wait for it.
    { name: "browser-check", testMatch: /chromium\.setup\.ts/ },
    {
      name: "chromium",
      testMatch: /.*\.browser\.spec\.ts/,
      dependencies: ["browser-check"],
      use: { ...devices["Desktop Chrome"], launchOptions },
    },
    // Only under `npm run screenshots`: it rewrites the README's images in docs/screenshots.
    ...(process.env.npm_lifecycle_event === "screenshots"
      ? [{ name: "screenshots", testMatch: /.*\.screenshots\.ts/, dependencies: ["browser-check"], use: { launchOptions } }]
      : []),
  ],
  webServer: externalServer ? undefined : {
    command: "rm -rf .data/e2e && npm run build && npm run start",
    url: `${baseURL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(APP_PORT),
      PGLITE_DIR: ".data/e2e",
      // Failures only: every LLM call logs a line, which would drown the test report.
      LOG_LEVEL: "warn",
      JOB_RUNNER: "local",
      OPENAI_API_KEY: "e2e-test-key",
      OPENAI_BASE_URL: `http://127.0.0.1:${FAKE_OPENAI_PORT}/v1`,
      LLM_API: "responses",
      LLM_MODEL: "fake-model",
      LLM_CONCURRENCY: "2",
      JOB_RETRY_BASE_MS: "50",
      // Every test shares one client address; the limits have their own tests.
      RATE_LIMIT_MAX_JOBS: "500",
      MAX_CONCURRENT_JOBS_PER_CLIENT: "100",
      CORS_ALLOWED_ORIGINS: "https://allowed.example",
      // The webhook receiver of the API walk-through listens on loopback.
      WEBHOOK_SECRET: E2E_WEBHOOK_SECRET,
      WEBHOOK_ALLOW_PRIVATE: "1",
      // Day maps load their tiles from the stand-in server (and the CSP allows only it).
      MAP_TILE_URL: `http://127.0.0.1:${MAP_TILE_PORT}/tiles/{z}/{x}/{y}.png`,
    },
  },
});
