import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": import.meta.dirname,
      // `server-only` throws outside React Server Components; tests run server code directly.
      "server-only": path.resolve(import.meta.dirname, "tests/helpers/empty-module.ts"),
    },
  },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    environment: "node",
    // The app's log lines (one per LLM call, many deliberate failures) would bury the
    // report: off unless asked for (LOG_LEVEL=debug npx vitest); tests that look at the
    // log set their own level.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own module graph (and so its own env, model and database).
    isolate: true,
    pool: "forks",
  },
});
