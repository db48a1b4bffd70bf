import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { startTemporaryPostgres, type TemporaryPostgres } from "../helpers/postgres";
import { freePort, startAppServer, type AppServer } from "./helpers/app-server";

// The production build against a PostgreSQL it has not migrated: it must refuse to serve,
// saying why, rather than fail request by request; after `npm run db:migrate` (what
// vercel-build runs) the same build starts and reports a current schema.

const run = promisify(execFile);
const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

let postgres: TemporaryPostgres | undefined;
let server: AppServer | undefined;

test.afterAll(async () => {
  await server?.stop().catch(() => {});
  await postgres?.stop();
});

test("a build whose migrations are not applied refuses to serve until they are", async () => {
  test.setTimeout(180_000);
  postgres = await startTemporaryPostgres();
  const env = {
    DATABASE_URL: postgres.url,
    JOB_RUNNER: "local",
    NEXT_TELEMETRY_DISABLED: "1",
  };

  // Not ready by design: the server exits (startAppServer then throws with its output).
  const refused = await startAppServer({ port: await freePort(), env, readyTimeoutMs: 30_000 }).then(
    () => null,
    (error: Error) => error.message,
  );
  // Every migration this build has is pending, the first named first.
  const { entries } = JSON.parse(await readFile(path.join(REPO_ROOT, "drizzle/meta/_journal.json"), "utf8")) as { entries: unknown[] };
  expect(refused).toContain(
    `refusing to start: the database schema is behind this build (${entries.length} migration(s) not applied: 0000_init`,
  );
  expect(refused).toContain('Run "npm run db:migrate"');

  await run(process.execPath, ["scripts/migrate.mjs"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", DATABASE_URL: postgres.url },
  });

  server = await startAppServer({ port: await freePort(), env });
  const health = await fetch(`${server.url}/api/health`);
  expect(health.status).toBe(200);
  const body = (await health.json()) as { schema: { current: boolean; pending: string[] }; database: { driver: string } };
  expect(body.database.driver).toBe("pg");
  expect(body.schema).toMatchObject({ current: true, pending: [] });
  expect(server.output()).not.toContain("refusing to start");
});
