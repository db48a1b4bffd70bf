import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

// The production build the API and page-weight benches measure: `next build` into `.next`,
// as `npm run build` and the browser tests make it.

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
export const BUILD_DIR = path.join(REPO_ROOT, ".next");
const NEXT_BIN = path.join(REPO_ROOT, "node_modules/next/dist/bin/next");

export const hasBuild = () => existsSync(path.join(BUILD_DIR, "BUILD_ID"));

/** Runs `next build` unless `reuse` is set and a build is there. Returns the time it took. */
export async function ensureBuild({ reuse }: { reuse: boolean }): Promise<{ built: boolean; ms: number }> {
  if (reuse && hasBuild()) return { built: false, ms: 0 };
  const started = performance.now();
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, "build"], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output.join("")}`);
  return { built: true, ms: performance.now() - started };
}
