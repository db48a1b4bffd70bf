// `npm run build:guard`: a production build with the environment a Vercel deploy has
// (placeholders, never real secrets), failing on anything in its output that means a broken
// deploy: a warning, a missing or invalid variable, a page that needs the request while
// being prerendered, an error, or a serverless function over Vercel's size limit. Prints
// the largest functions' traced sizes. It builds into .next like `npm run build`.
import { spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** Vercel's limit on a function's uncompressed size, dependencies included. */
export const FUNCTION_SIZE_LIMIT_BYTES = 250 * 1024 * 1024;

/** What a production deploy sets (Neon + Inngest + OpenAI integrations), as placeholders. */
export const PRODUCTION_PLACEHOLDERS = {
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  VERCEL: "1",
  APP_URL: "https://itinera.example.com",
  DATABASE_URL: "postgres://itinera:placeholder@ep-placeholder-000000.us-east-2.aws.neon.tech/itinera?sslmode=require",
  JOB_RUNNER: "inngest",
  INNGEST_EVENT_KEY: "placeholder-event-key",
  INNGEST_SIGNING_KEY: "signkey-prod-0000000000000000000000000000000000000000000000000000000000000000",
  OPENAI_API_KEY: "sk-placeholder",
  WEBHOOK_SECRET: "whsec_MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw",
};

const PROBLEMS = [
  { pattern: /⚠/, reason: "a build warning" },
  { pattern: /\bwarn(ing)?\b/i, reason: "a build warning" },
  { pattern: /Dynamic server usage|couldn't be rendered statically/i, reason: "a static page used request data" },
  { pattern: /\b(missing|invalid) (environment )?variable|is not set|Invalid environment/i, reason: "the environment is incomplete" },
  { pattern: /\berror\b/i, reason: "an error" },
  { pattern: /exceed/i, reason: "a limit was exceeded" },
];

const ROUTE_TABLE_LINE = /^[┌├└│]/;

/**
 * The lines of a build's output that mean a broken deploy, each with why.
 * @param {string} output
 * @returns {{ line: string, reason: string }[]}
 */
export function findBuildProblems(output) {
  const problems = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    // The route table names routes such as /_global-error; those are not messages.
    if (ROUTE_TABLE_LINE.test(line)) continue;
    const problem = PROBLEMS.find(({ pattern }) => pattern.test(line));
    if (problem) problems.push({ line, reason: problem.reason });
  }
  return problems;
}

/**
 * Traced size of every serverless function in a build: the route's own files, the Next
 * server runtime and the instrumentation hook, counted once each, as Vercel packages them.
 * @param {string} distDir the build folder (.next)
 * @returns {Promise<{ route: string, bytes: number, files: number }[]>} largest first
 */
export async function functionSizes(distDir) {
  const serverDir = path.join(distDir, "server");
  const manifest = JSON.parse(await readFile(path.join(distDir, "server", "app-paths-manifest.json"), "utf8"));
  const shared = [
    path.join(distDir, "next-server.js.nft.json"),
    path.join(serverDir, "instrumentation.js.nft.json"),
  ];
  const sharedFiles = new Set();
  for (const trace of shared) for (const file of await tracedFiles(trace)) sharedFiles.add(file);

  const sizes = [];
  for (const [route, entry] of Object.entries(manifest)) {
    const entryFile = path.join(serverDir, entry);
    const files = new Set(sharedFiles);
    files.add(entryFile);
    for (const file of await tracedFiles(`${entryFile}.nft.json`)) files.add(file);
    let bytes = 0;
    for (const file of files) bytes += await sizeOf(file);
    sizes.push({ route, bytes, files: files.size });
  }
  return sizes.sort((a, b) => b.bytes - a.bytes);
}

async function tracedFiles(traceFile) {
  let trace;
  try {
    trace = JSON.parse(await readFile(traceFile, "utf8"));
  } catch {
    return [];
  }
  return trace.files.map((file) => path.resolve(path.dirname(traceFile), file));
}

async function sizeOf(file) {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : 0;
  } catch {
    return 0;
  }
}

const megabytes = (bytes) => (bytes / 1024 / 1024).toFixed(1);

function runBuild(env) {
  const nextBin = path.join(path.dirname(createRequire(import.meta.url).resolve("next/package.json")), "dist/bin/next");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [nextBin, "build"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

async function main() {
  // The placeholders replace anything set locally, so the build sees only a deploy's variables.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...PRODUCTION_PLACEHOLDERS };
  const { code, output } = await runBuild(env);
  const problems = findBuildProblems(output);
  if (code !== 0) problems.push({ line: `next build exited with code ${code}`, reason: "the build failed" });

  const sizes = code === 0 ? await functionSizes(".next") : [];
  if (sizes.length > 0) {
    console.log("\nserverless functions, traced size (largest first):");
    for (const { route, bytes, files } of sizes.slice(0, 5)) {
      console.log(`  ${megabytes(bytes).padStart(7)} MB  ${String(files).padStart(5)} files  ${route}`);
    }
    for (const { route, bytes } of sizes) {
      if (bytes > FUNCTION_SIZE_LIMIT_BYTES) {
        problems.push({ line: `${route}: ${megabytes(bytes)} MB`, reason: "a function exceeds Vercel's 250 MB limit" });
      }
    }
    const [largest] = sizes;
    console.log(JSON.stringify({ largestFunction: largest.route, largestFunctionMB: Number(megabytes(largest.bytes)) }));
  }

  if (problems.length > 0) {
    console.error("\nbuild guard: this build would not deploy cleanly:");
    for (const { line, reason } of problems) console.error(`  - ${reason}: ${line}`);
    process.exit(1);
  }
  console.log("build guard: clean production build");
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
