import { readFile } from "node:fs/promises";
import path from "node:path";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { readFlags, runMain } from "./support/cli";
import { describeMachine } from "./support/machine";
import { BUILD_DIR, ensureBuild } from "./support/next-build";
import { printJsonLine, printTable, round, targetRows, type Target } from "./support/report";

// Bench 5 — first-load JavaScript of the form (/) and the status page, gzipped. Next 16's
// build no longer prints it, so it is summed from the build's manifests: the scripts every
// page loads (build-manifest.json rootMainFiles), plus the chunks of the route's own
// segments (its client reference manifest's entryJSFiles: layout, page, not-found, error).
// The polyfills are left out, as Next always did: they are sent with `nomodule`, so modern
// browsers skip them. For `/`, which is prerendered, the sum is checked against the
// <script> tags of its HTML.

const flags = readFlags({ "reuse-build": { type: "boolean" } });
const LIMIT_KB = 150;

const ROUTES = [
  { label: "/ (the form)", entry: "/page", html: "index.html" },
  { label: "/itineraries/[id] (status page)", entry: "/itineraries/[id]/page", html: null },
] as const;

interface BuildManifest {
  rootMainFiles: string[];
  polyfillFiles: string[];
}

async function routeChunks(entry: string): Promise<string[]> {
  const file = path.join(BUILD_DIR, "server/app", `${entry}_client-reference-manifest.js`);
  const sandbox: { __RSC_MANIFEST?: Record<string, { entryJSFiles?: Record<string, string[]> }> } = {};
  sandbox.__RSC_MANIFEST = {};
  runInNewContext(await readFile(file, "utf8"), { globalThis: sandbox, self: sandbox, ...sandbox });
  const manifest = sandbox.__RSC_MANIFEST[entry];
  if (!manifest?.entryJSFiles) throw new Error(`no entryJSFiles for ${entry} in ${file}`);
  return Object.values(manifest.entryJSFiles).flat();
}

/** Script URLs of a prerendered page, without the nomodule ones. */
async function htmlScripts(name: string): Promise<string[]> {
  const html = await readFile(path.join(BUILD_DIR, "server/app", name), "utf8");
  return [...html.matchAll(/<script\b[^>]*\bsrc="\/_next\/([^"]+)"[^>]*>/g)]
    .filter((match) => !/\bnoModule\b/i.test(match[0]))
    .map((match) => match[1]!);
}

async function gzippedBytes(file: string): Promise<{ raw: number; gzip: number }> {
  const content = await readFile(path.join(BUILD_DIR, file));
  return { raw: content.length, gzip: gzipSync(content, { level: 9 }).length };
}

async function main() {
  const build = await ensureBuild({ reuse: Boolean(flags["reuse-build"]) });
  const manifest = JSON.parse(await readFile(path.join(BUILD_DIR, "build-manifest.json"), "utf8")) as BuildManifest;
  const rows = [];
  for (const route of ROUTES) {
    const files = [...new Set([...manifest.rootMainFiles, ...(await routeChunks(route.entry))])];
    const sizes = await Promise.all(files.map(gzippedBytes));
    const gzipKb = sizes.reduce((sum, size) => sum + size.gzip, 0) / 1000;
    const rawKb = sizes.reduce((sum, size) => sum + size.raw, 0) / 1000;
    let matchesHtml: boolean | null = null;
    if (route.html) {
      const fromHtml = new Set(await htmlScripts(route.html));
      matchesHtml = fromHtml.size === files.length && files.every((file) => fromHtml.has(file));
    }
    rows.push({ route: route.label, files: files.length, rawKb: round(rawKb), gzipKb: round(gzipKb), matchesHtml });
  }
  printTable(
    `First-load JS (gzip -9, kB = 1000 bytes; polyfills excluded) — from ${path.relative(process.cwd(), BUILD_DIR) || ".next"}`,
    [
      ["route", "scripts", "raw (kB)", "gzip (kB)", "same scripts as its HTML"],
      ...rows.map((row) => [row.route, row.files, row.rawKb, row.gzipKb, row.matchesHtml === null ? "(dynamic page)" : row.matchesHtml ? "yes" : "NO"]),
    ],
  );
  const targets: Target[] = rows.map((row) => ({ name: `${row.route} first-load JS`, value: row.gzipKb, op: "≤", limit: LIMIT_KB, unit: " kB" }));
  printTable("Targets", targetRows(targets));
  printJsonLine("page-weight", { rows, buildS: build.built ? round(build.ms / 1000, 1) : null, machine: describeMachine() }, targets);
  if (rows.some((row) => row.matchesHtml === false)) throw new Error("the manifests and the HTML disagree on the scripts of /");
}

runMain(main);
