import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { freePort, startAppServer, type AppServer } from "./helpers/app-server";

// The production server (`next start` of the Playwright build) with the configurations the
// runner choice refuses or warns about: a refusal ends the process with status 1 and names
// the variables to set; an ordinary server without Inngest keys runs jobs in-process and
// says so.

let pgliteDir: string;
const servers: AppServer[] = [];

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  pgliteDir = await mkdtemp(path.join(tmpdir(), "itinera-startup-"));
});

test.afterAll(async () => {
  for (const server of servers) await server.stop().catch(() => {});
  await rm(pgliteDir, { recursive: true, force: true });
});

const baseEnv = () => ({ PGLITE_DIR: pgliteDir, NEXT_TELEMETRY_DISABLED: "1" });

test("on Vercel without Inngest keys, next start exits with status 1, naming both keys", async () => {
  const start = startAppServer({ port: await freePort(), env: { ...baseEnv(), VERCEL: "1" }, readyTimeoutMs: 30_000 });
  await expect(start).rejects.toThrow(/exited before it was ready \(code 1\)/);
  await expect(start).rejects.toThrow(/INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY/);
  await expect(start).rejects.toThrow(/"level":"fatal".*"msg":"refusing to start"/);
});

test("with an Inngest event key but no signing key, next start exits with status 1, naming INNGEST_SIGNING_KEY", async () => {
  const start = startAppServer({
    port: await freePort(),
    env: { ...baseEnv(), INNGEST_EVENT_KEY: "evt-key" },
    readyTimeoutMs: 30_000,
  });
  await expect(start).rejects.toThrow(/exited before it was ready \(code 1\)/);
  await expect(start).rejects.toThrow(/INNGEST_SIGNING_KEY is not set/);
});

test("an ordinary server without Inngest keys runs the local runner, warns so, and health names runner and model", async () => {
  const server = await startAppServer({ port: await freePort(), env: baseEnv() });
  servers.push(server);
  const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
    runner: string;
    model: { label: string };
  };
  expect(health.runner).toBe("local");
  expect(health.model.label).toBe("demo model");
  const lines = server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { level: string; msg: string; runner?: string });
  expect(lines.find((line) => line.level === "info" && line.runner)).toMatchObject({ runner: "local" });
  expect(lines.find((line) => line.level === "warn")?.msg).toMatch(/the local runner\): fine for one machine, durable through the database/);
});
