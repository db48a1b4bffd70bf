import { spawn } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeMachine, machineLine } from "./support/machine";
import { ensureBuild } from "./support/next-build";
import { formatTable, formatValue, round, type Cell } from "./support/report";

// `npm run bench [-- NAME…] [--reuse-build]`: runs the benches one after another, each in
// a process of its own (its own environment, database and model), builds the app once for
// the three that need it, then prints every target in one table and every figure as one
// JSON line. A missed target is a figure, not a failure: only a bench that breaks (or
// finds a lost job) makes the exit code non-zero.

const BENCHES = ["pipeline", "overhead", "burst", "api", "page-weight", "watchers"] as const;
type BenchName = (typeof BENCHES)[number];
const NEEDS_BUILD = new Set<BenchName>(["api", "page-weight", "watchers"]);

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { "reuse-build": { type: "boolean" } },
  allowPositionals: true,
});
const unknown = positionals.filter((name) => !(BENCHES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`Unknown bench: ${unknown.join(", ")}. Choose from: ${BENCHES.join(", ")}.`);
  process.exit(2);
}
const selected = BENCHES.filter((name) => positionals.length === 0 || positionals.includes(name));

interface TargetVerdict {
  name: string;
  value: number;
  op: string;
  limit: number;
  unit?: string;
  met: boolean;
}
interface BenchLine {
  bench: string;
  targets?: TargetVerdict[];
  [figure: string]: unknown;
}

/** Runs one bench script, echoing its output, and returns its JSON line. */
function runBench(name: BenchName, extraArgs: string[]): Promise<{ line: BenchLine | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const script = path.join(import.meta.dirname, `${name}.ts`);
    const child = spawn(process.execPath, [...process.execArgv, script, ...extraArgs], { stdio: ["ignore", "pipe", "inherit"] });
    let line: BenchLine | null = null;
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const text of lines) if (text.startsWith('{"bench":')) line = JSON.parse(text) as BenchLine;
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.once("SIGINT", forward);
    process.once("SIGTERM", forward);
    child.once("error", reject);
    child.once("exit", (code) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve({ line, code });
    });
  });
}

async function main() {
  const started = performance.now();
  console.log(`Itinera benchmarks: ${selected.join(", ")}\n${machineLine()}`);
  let buildS: number | null = null;
  if (selected.some((name) => NEEDS_BUILD.has(name))) {
    console.log(values["reuse-build"] ? "\nUsing the existing production build if there is one…" : "\nBuilding the app (next build)…");
    const build = await ensureBuild({ reuse: Boolean(values["reuse-build"]) });
    buildS = build.built ? round(build.ms / 1000, 1) : null;
    if (buildS !== null) console.log(`Built in ${buildS} s.`);
  }

  const lines: BenchLine[] = [];
  const failed: string[] = [];
  for (const name of selected) {
    console.log(`\n=== ${name} ===`);
    const { line, code } = await runBench(name, NEEDS_BUILD.has(name) ? ["--reuse-build"] : []);
    if (line) lines.push(line);
    if (code !== 0 || !line) failed.push(name);
  }

  const rows: Cell[][] = [["bench", "target", "measured", "limit", "met"]];
  for (const line of lines) {
    for (const target of line.targets ?? []) {
      rows.push([line.bench, target.name, `${formatValue(target.value)}${target.unit ?? ""}`, `${target.op} ${target.limit}${target.unit ?? ""}`, target.met ? "yes" : "NO"]);
    }
  }
  console.log(`\n${formatTable(`Summary — ${machineLine()}`, rows)}`);
  if (failed.length > 0) console.log(`\nFailed to run: ${failed.join(", ")}`);
  console.log(
    JSON.stringify({
      bench: "all",
      buildS,
      elapsedS: round((performance.now() - started) / 1000, 1),
      failed,
      machine: describeMachine(),
      results: lines,
    }),
  );
  process.exit(failed.length > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
