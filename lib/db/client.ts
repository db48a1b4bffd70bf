import "server-only";
import { spawn } from "node:child_process";
import path from "node:path";
import { access, mkdir, readdir } from "node:fs/promises";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { processSingleton, replaceProcessSingleton, takeProcessSingleton } from "@/lib/singleton";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseDriver = "pglite" | "neon" | "pg";

interface Connection {
  db: Database;
  driver: DatabaseDriver;
  /** Runs `work` in a transaction on one connection, which is always given back. */
  transaction: <T>(work: (tx: Database) => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
}

/** The part of a pg or Neon pool client a transaction needs. */
interface PoolClient {
  query(text: string): Promise<unknown>;
  release(error?: Error | boolean): void;
  on(event: "error", listener: (error: Error) => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
}

/**
 * A transaction on a pooled client, given back in every case: drizzle's own transaction
 * sends BEGIN before its try block, so a connection that dies right then is never released
 * and the pool can no longer close. A client whose connection failed is destroyed, not
 * reused.
 */
async function pooledTransaction<T>(
  connectClient: () => Promise<PoolClient>,
  wrap: (client: PoolClient) => Database,
  work: (tx: Database) => Promise<T>,
): Promise<T> {
  const client = await connectClient();
  let failure: Error | undefined;
  // A connection lost between statements is reported as an event, not by a query: keep it
  // from becoming an uncaught error, and destroy the client on release.
  const onError = (error: Error) => {
    failure = error;
  };
  client.on("error", onError);
  try {
    await client.query("begin");
    const result = await work(wrap(client));
    await client.query("commit");
    return result;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.off("error", onError);
    client.release(failure);
  }
}

const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");
const CONNECT_TIMEOUT_MS = 3000;
const QUERY_TIMEOUT_MS = 15_000;

/**
 * Settings the embedded database starts with (on top of PGlite's own). PGlite zero-fills
 * PostgreSQL's shared memory inside its WASM heap at start, so every page of
 * shared_buffers is resident from the first second: the 128 MB initdb chooses cost the
 * server 128 MiB of RSS (and a WASM memory that never shrinks) for a database of a few
 * megabytes. 16 MB holds this app's working set; `npm run bench:memory` measured about
 * 140 MiB less RSS, and bench:overhead no slower.
 */
export const PGLITE_SETTINGS = ["shared_buffers=16MB"];

/**
 * Creates the embedded database's files (initdb) in a short-lived child process when the
 * folder has none yet. In-process, initdb runs a second PGlite instance and copies its WASM
 * heap, and the ~200 MiB this churns through stays in the server's malloc arenas after it is
 * freed (fresh-folder idle RSS measured 610-670 MiB, against 430 MiB when the files existed).
 * A child gives all of it back when it exits; `--liftoff-only` spares it V8's optimizing
 * compiler, whose ~400 MiB burst would only raise the peak. Should the child not run at
 * all, the folder is still empty and PGlite creates the files in-process as before.
 */
async function createPgliteFilesInChild(dir: string, startParams: string[]): Promise<void> {
  const exists = await access(path.join(dir, "PG_VERSION")).then(
    () => true,
    () => false,
  );
  if (exists) return;
  // Resolved from the working directory, as the server resolves the package (it is external).
  const script = [
    'const { PGlite } = await import("@electric-sql/pglite");',
    "const db = new PGlite(process.argv[1], { startParams: JSON.parse(process.argv[2]) });",
    "await db.waitReady;",
    "await db.close();",
  ].join("\n");
  const stderr: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      ["--liftoff-only", "--input-type=module", "--eval", script, dir, JSON.stringify(startParams)],
      { cwd: process.cwd(), stdio: ["ignore", "ignore", "pipe"] },
    );
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
    child.once("error", (error) => {
      stderr.push(error.message);
      resolve(null);
    });
    child.once("exit", (exitCode) => resolve(exitCode));
  });
  if (code === 0) return;
  const detail = stderr.join("").trim().slice(-2000);
  // A child that wrote nothing (it could not start or load PGlite) leaves the job to this
  // process; one that failed half-way left files PGlite cannot resume from.
  if ((await readdir(dir)).length > 0) {
    throw new Error(`Could not create the embedded database in ${dir} (exit ${code}): ${detail}`);
  }
  logger("db").warn({ code, detail }, "creating the embedded database in a child process failed; creating it in-process");
}

/** Neon's serverless driver speaks WebSockets to Neon hosts; plain `pg` speaks TCP to the rest. */
export function driverFor(databaseUrl: string | undefined): DatabaseDriver {
  if (!databaseUrl) return "pglite";
  const host = new URL(databaseUrl).hostname;
  return host.endsWith(".neon.tech") || host.endsWith(".neon.build") ? "neon" : "pg";
}

async function connect(databaseUrl: string | undefined): Promise<Connection> {
  const driver = driverFor(databaseUrl);
  if (driver === "pglite" || !databaseUrl) {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    const dir = path.resolve(env().PGLITE_DIR);
    await mkdir(dir, { recursive: true });
    const startParams = [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((setting) => ["-c", setting])];
    await createPgliteFilesInChild(dir, startParams);
    const client = new PGlite(dir, { startParams });
    const db = drizzle({ client, schema });
    // The embedded database migrates itself so a fresh clone runs with no setup step.
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return {
      db: db as unknown as Database,
      driver: "pglite",
      transaction: (work) => db.transaction((tx) => work(tx as unknown as Database)),
      close: () => client.close(),
    };
  }
  if (driver === "neon") {
    const { Pool, neonConfig } = await import("@neondatabase/serverless");
    const { drizzle } = await import("drizzle-orm/neon-serverless");
    const { default: ws } = await import("ws");
    neonConfig.webSocketConstructor = ws;
    const pool = new Pool({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    pool.on("error", (error: Error) => logger("db").error({ err: error }, "idle client error"));
    return pooledConnection("neon", pool, (client) => drizzle({ client: client as never, schema }));
  }
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  // Fail fast when the database is unreachable (a 503, not a hung request), and never let
  // one query wait forever on a half-open connection.
  const pool = new Pool({
    connectionString: databaseUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    max: 10,
  });
  pool.on("error", (error) => logger("db").error({ err: error }, "idle client error"));
  return pooledConnection("pg", pool, (client) => drizzle({ client: client as never, schema }));
}

/** A connection over a pool (pg or Neon): `wrap` makes a drizzle database of the pool or of one client. */
function pooledConnection(
  driver: DatabaseDriver,
  pool: { connect(): Promise<PoolClient>; end(): Promise<void> },
  wrap: (client: unknown) => unknown,
): Connection {
  return {
    db: wrap(pool) as Database,
    driver,
    transaction: (work) => pooledTransaction(() => pool.connect(), (client) => wrap(client) as Database, work),
    close: () => pool.end(),
  };
}

// One per process: Next bundles routes, actions and instrumentation separately, and dev
// reloads modules; one process must still hold exactly one pool (and one PGlite).
const DB = "db";

function connection(): Promise<Connection> {
  return processSingleton(DB, () =>
    connect(env().DATABASE_URL).catch((error: unknown) => {
      // Forget a failed attempt so the next call connects again.
      replaceProcessSingleton(DB, undefined);
      throw error;
    }),
  );
}

export async function getDb(): Promise<Database> {
  return (await connection()).db;
}

/** Runs `work` in one transaction (its statements on one connection, committed together). */
export async function withTransaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
  return (await connection()).transaction(work);
}

export async function getDatabaseDriver(): Promise<DatabaseDriver> {
  return (await connection()).driver;
}

/** Closes the pool (tests, graceful shutdown). The next `getDb()` connects again. */
export async function closeDb(): Promise<void> {
  const pending = takeProcessSingleton<Promise<Connection>>(DB);
  if (pending) await (await pending).close();
}

/** Test hook: use a database the caller created (e.g. in-memory PGlite). */
export function setDatabaseForTests(db: Database, driver: DatabaseDriver = "pglite"): void {
  const connection: Connection = {
    db,
    driver,
    transaction: (work) => db.transaction((tx) => work(tx as unknown as Database)),
    close: async () => {},
  };
  replaceProcessSingleton(DB, Promise.resolve(connection));
}

export { schema };
