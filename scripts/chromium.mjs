// Which Chromium the browser tests drive, first found wins:
//   1. CHROMIUM_PATH, when set (a Chromium or Chrome executable);
//   2. a system Chromium: /usr/bin/chromium, /usr/bin/chromium-browser, or either name on PATH
//      (Debian/Ubuntu: `apt-get install chromium`);
//   3. Playwright's own build (`npx playwright install chromium`, a download).
// Run as a script (`npm test`'s pretest step), it downloads Playwright's build when neither
// of the first two exists and it is not there yet. It never fails the run: when there is
// still no Chromium it says what to install, and the browser tests fail saying the same.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";

const SYSTEM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const SYSTEM_NAMES = ["chromium", "chromium-browser"];

export const CHROMIUM_INSTALL_HINT =
  "The browser tests found no Chromium. Install one of:\n" +
  "  - a system Chromium (Debian/Ubuntu: `apt-get install chromium`), or\n" +
  "  - Playwright's own build: `npx playwright install chromium` (downloads from cdn.playwright.dev),\n" +
  "or set CHROMIUM_PATH to a Chromium or Chrome executable.";

/** @param {string} file */
function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function systemChromium() {
  const onPath = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .flatMap((dir) => SYSTEM_NAMES.map((name) => path.join(dir, name)));
  return [...SYSTEM_PATHS, ...onPath].find(isExecutable);
}

/**
 * The Chromium to launch. `executablePath` is undefined for Playwright's own build (Playwright
 * then picks its headless shell or full browser itself).
 * @returns {{ source: "CHROMIUM_PATH" | "system" | "playwright", executablePath: string | undefined } | { problem: string }}
 */
export function findChromium() {
  const override = process.env.CHROMIUM_PATH?.trim();
  if (override) {
    return isExecutable(override)
      ? { source: "CHROMIUM_PATH", executablePath: override }
      : { problem: `CHROMIUM_PATH=${override} is not an executable file.` };
  }
  const system = systemChromium();
  if (system) return { source: "system", executablePath: system };
  if (isExecutable(chromium.executablePath())) return { source: "playwright", executablePath: undefined };
  return { problem: CHROMIUM_INSTALL_HINT };
}

/** @param {ReturnType<typeof findChromium>} found */
function describe(found) {
  if ("problem" in found) return found.problem;
  return `browser tests: ${found.source} Chromium (${found.executablePath ?? chromium.executablePath()})`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let found = findChromium();
  if ("problem" in found && !process.env.CHROMIUM_PATH?.trim()) {
    console.log("No system Chromium: installing Playwright's (npx playwright install chromium)…");
    const cli = createRequire(import.meta.url).resolve("@playwright/test/cli");
    spawnSync(process.execPath, [cli, "install", "chromium"], { stdio: "inherit" });
    found = findChromium();
  }
  if ("problem" in found) console.warn(`warning: ${found.problem}`);
  else console.log(describe(found));
}
