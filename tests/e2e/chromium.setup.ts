import { test } from "@playwright/test";
import { findChromium } from "../../scripts/chromium.mjs";

// Runs before the browser projects (their dependency in playwright.config.ts): with no
// Chromium to drive it fails once, saying what to install, instead of every browser test
// failing with Playwright's own advice.
test("a Chromium for the browser tests is installed", () => {
  const found = findChromium();
  if ("problem" in found) throw new Error(found.problem);
});
