import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

// Starts and stops the app's production server (`next start`, from the `.next` build the
// Playwright webServer step made) as its own process group, so a test can SIGKILL it like
// a crashed machine and start it again on the same embedded database.

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const NEXT_BIN = path.join(REPO_ROOT, "node_modules/next/dist/bin/next");

/** Variables passed through from the test process; everything else comes from `env`. */
const INHERITED = ["PATH", "HOME", "TMPDIR", "LANG", "TZ"] as const;

export interface AppServer {
  url: string;
  port: number;
  /** Pid of the spawned `next start` process, also its process group id. */
  pid: number;
  /** Everything the server printed so far (stdout and stderr interleaved). */
  output(): string;
  /** SIGKILL to the whole process group, then waits until no process of it is left. */
  kill(): Promise<void>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the group is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartAppServerOptions {
  port: number;
  env: Record<string, string>;
  readyTimeoutMs?: number;
}

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port"))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True while any process of the group `pgid` exists (zombies included). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function waitForGroupGone(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) throw new Error(`process group ${pgid} is still alive after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export async function startAppServer({ port, env, readyTimeoutMs = 60_000 }: StartAppServerOptions): Promise<AppServer> {
  const inherited = Object.fromEntries(
    INHERITED.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  const child = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: REPO_ROOT,
    // Its own process group: kill(-pid) reaches the server and anything it forked.
    detached: true,
    // `next start` runs in production mode whatever NODE_ENV says; say it anyway.
    env: { NODE_ENV: "production", ...inherited, ...env, PORT: String(port) } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn next start");

  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
  const done = exited(child);

  const url = `http://127.0.0.1:${port}`;
  const server: AppServer = {
    url,
    port,
    pid,
    output: () => log,
    async kill() {
      if (groupAlive(pid)) process.kill(-pid, "SIGKILL");
      await done;
      await waitForGroupGone(pid, 10_000);
    },
    async stop(graceMs = 5_000) {
      if (!groupAlive(pid)) return;
      process.kill(-pid, "SIGTERM");
      const stopped = await Promise.race([done.then(() => true), sleep(graceMs).then(() => false)]);
      if (!stopped || groupAlive(pid)) {
        if (groupAlive(pid)) process.kill(-pid, "SIGKILL");
        await done;
      }
      await waitForGroupGone(pid, 10_000);
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  let exitedEarly = false;
  void done.then(() => (exitedEarly = true));
  for (;;) {
    if (exitedEarly) {
      throw new Error(`next start exited before it was ready (code ${child.exitCode}):\n${log}`);
    }
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`next start was not healthy within ${readyTimeoutMs} ms:\n${log}`);
    }
    await sleep(200);
  }
}
