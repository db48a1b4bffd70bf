import { execFile, execFileSync } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants as fsConstants, readdirSync, readFileSync } from "node:fs";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { WebSocketServer, type RawData, type WebSocket } from "ws";

// A throwaway PostgreSQL server for integration tests: its own data directory under the OS
// temp dir, its own free port on 127.0.0.1, trust auth, fsync off. As root, initdb and the
// server run as the `postgres` user (initdb refuses root); otherwise as the current user.

const run = promisify(execFile);

export const MIGRATIONS_FOLDER = path.resolve(import.meta.dirname, "../../drizzle");
export const TEST_DATABASE_NAME = "itinera_test";

export interface TemporaryPostgres {
  /** postgres://postgres@127.0.0.1:PORT/itinera_test */
  url: string;
  port: number;
  /** Stops the server (immediate mode) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under " +
  "/usr/lib/postgresql/*/bin. Install them with `apt-get install postgresql` " +
  "(Debian/Ubuntu; other systems: the PostgreSQL server package) to run the PostgreSQL " +
  "integration tests.";

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** initdb and pg_ctl from one installation: PATH first, then the newest Debian-style one. */
export function findPostgresBinaries(): { initdb: string; pgCtl: string } {
  const initdb = findOnPath("initdb");
  const pgCtl = findOnPath("pg_ctl");
  if (initdb && pgCtl) return { initdb, pgCtl };
  let versions: string[] = [];
  try {
    versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
  } catch {
    // No Debian-style installation.
  }
  for (const version of versions) {
    const bin = path.join("/usr/lib/postgresql", version, "bin");
    const candidate = { initdb: path.join(bin, "initdb"), pgCtl: path.join(bin, "pg_ctl") };
    if (isExecutable(candidate.initdb) && isExecutable(candidate.pgCtl)) return candidate;
  }
  throw new Error(INSTALL_HINT);
}

const isRoot = () => process.getuid?.() === 0;

interface RunAs {
  /** Runs a PostgreSQL binary as the right user. */
  command(file: string, args: string[]): { file: string; args: string[] };
  uid?: number;
  gid?: number;
}

function runAs(): RunAs {
  if (!isRoot()) return { command: (file, args) => ({ file, args }) };
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  } catch {
    throw new Error(
      "Running as root, but there is no `postgres` user to run PostgreSQL as (initdb refuses " +
        "root). Install PostgreSQL with `apt-get install postgresql` (it creates the user) or " +
        "run the tests as a non-root user.",
    );
  }
  const runuser = findOnPath("runuser") ?? ["/usr/sbin/runuser", "/sbin/runuser"].find(isExecutable);
  if (!runuser) throw new Error("Running as root, but `runuser` (util-linux) was not found.");
  return { command: (file, args) => ({ file: runuser, args: ["-u", "postgres", "--", file, ...args] }), uid, gid };
}

/** A port that was free a moment ago (the kernel's pick for port 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (!address || typeof address === "string") throw new Error("could not read a free port");
  return address.port;
}

function describeFailure(error: unknown): string {
  if (error && typeof error === "object") {
    const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message?: string };
    return [message, stderr?.trim(), stdout?.trim()].filter(Boolean).join("\n");
  }
  return String(error);
}

async function logTail(logFile: string): Promise<string> {
  try {
    return (await readFile(logFile, "utf8")).split("\n").slice(-20).join("\n");
  } catch {
    return "(no server log)";
  }
}

/** Synchronous last-resort stop, for process exit (afterAll normally stops the server). */
function stopSync(pgCtl: string, as: RunAs, dataDir: string, baseDir: string): void {
  try {
    const { file, args } = as.command(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
    execFileSync(file, args, { stdio: "ignore", timeout: 15_000 });
  } catch {
    // Already stopped, or never started: fall back to the pid file below.
    try {
      const pid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, "SIGQUIT");
    } catch {
      // No pid file: nothing is running.
    }
  }
  try {
    execFileSync("rm", ["-rf", baseDir], { stdio: "ignore" });
  } catch {
    // Leave the directory: the OS cleans its temp dir.
  }
}

export async function startTemporaryPostgres(): Promise<TemporaryPostgres> {
  const { initdb, pgCtl } = findPostgresBinaries();
  const as = runAs();
  const baseDir = await mkdtemp(path.join(os.tmpdir(), "itinera-pg-"));
  // initdb wants an empty (or missing) directory it can create; the socket and log live beside it.
  const dataDir = path.join(baseDir, "data");
  const logFile = path.join(baseDir, "log");
  if (as.uid !== undefined && as.gid !== undefined) await chown(baseDir, as.uid, as.gid);

  let started = false;
  let stopped = false;
  const onExit = () => {
    if (started && !stopped) stopSync(pgCtl, as, dataDir, baseDir);
  };
  process.once("exit", onExit);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", onExit);
    if (started) {
      const { file, args } = as.command(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      try {
        await run(file, args, { timeout: 30_000 });
      } catch {
        stopSync(pgCtl, as, dataDir, baseDir);
      }
    }
    await rm(baseDir, { recursive: true, force: true });
  };

  try {
    const init = as.command(initdb, [
      "-D",
      dataDir,
      "--auth=trust",
      "-U",
      "postgres",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    try {
      await run(init.file, init.args, { timeout: 120_000 });
    } catch (error) {
      throw new Error(`initdb failed:\n${describeFailure(error)}`);
    }

    // Another process may take the port between our probe and the server's bind: retry.
    let port = 0;
    for (let attempt = 1; ; attempt += 1) {
      port = await freePort();
      const options = `-p ${port} -k ${baseDir} -c listen_addresses=127.0.0.1 -c fsync=off`;
      const start = as.command(pgCtl, ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", options, "start"]);
      started = true;
      try {
        await run(start.file, start.args, { timeout: 90_000 });
        break;
      } catch (error) {
        const log = await logTail(logFile);
        if (attempt < 3 && /could not bind|Address already in use/i.test(log)) continue;
        throw new Error(`pg_ctl start failed:\n${describeFailure(error)}\n--- server log ---\n${log}`);
      }
    }

    const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
    await admin.connect();
    try {
      await admin.query(`create database ${TEST_DATABASE_NAME}`);
    } finally {
      await admin.end();
    }
    return { url: `postgres://postgres@127.0.0.1:${port}/${TEST_DATABASE_NAME}`, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Applies ./drizzle migrations to the database at `url`. */
export async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.end();
  }
}

export interface NeonWsProxy {
  port: number;
  /** WebSocket connections relayed so far (to check a client really went through the proxy). */
  readonly connections: number;
  close(): Promise<void>;
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * A WebSocket-to-TCP proxy speaking what Neon's proxy speaks (`/v1?address=host:port`,
 * binary frames carrying the Postgres wire protocol), so the Neon driver can reach a local
 * server. Only local addresses are relayed. Client side (tests only):
 *   neonConfig.wsProxy = (_host, port) => `127.0.0.1:${proxy.port}/v1?address=127.0.0.1:${port}`;
 *   neonConfig.useSecureWebSocket = false; pipelineTLS = false; pipelineConnect = false.
 */
export async function startNeonWsProxy(): Promise<NeonWsProxy> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(server, "listening");
  const sockets = new Set<WebSocket>();
  let relayed = 0;

  server.on("connection", (socket, request) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const address = new URL(request.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const separator = address.lastIndexOf(":");
    const host = address.slice(0, separator);
    const port = Number(address.slice(separator + 1));
    if (separator < 0 || !LOCAL_HOSTS.has(host) || !Number.isInteger(port) || port <= 0) {
      socket.close(1008, "only local addresses are relayed");
      return;
    }
    relayed += 1;
    socket.binaryType = "nodebuffer";
    // net.Socket queues writes made before it connects, so no buffering is needed here.
    const tcp = net.connect({ host: host.replace(/^\[|\]$/g, ""), port });
    socket.on("message", (data) => tcp.write(toBuffer(data)));
    socket.on("close", () => tcp.destroy());
    socket.on("error", () => tcp.destroy());
    tcp.on("data", (chunk) => socket.send(chunk));
    tcp.on("close", () => socket.close());
    tcp.on("error", () => socket.terminate());
  });

  const address = server.address();
  if (!address || typeof address === "string") throw new Error("could not read the proxy's port");
  return {
    port: address.port,
    get connections() {
      return relayed;
    },
    close: async () => {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
