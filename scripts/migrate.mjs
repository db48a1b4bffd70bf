// Applies the database migrations in ./drizzle with drizzle-kit, when DATABASE_URL is set.
// Run before `next build` on deploy (the vercel-build script): forward-only and idempotent,
// so a redeploy with nothing new applies nothing. Without DATABASE_URL there is nothing to
// do: the embedded database migrates itself when the app opens it.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

if (!process.env.DATABASE_URL?.trim()) {
  console.log("[itinera] DATABASE_URL is not set: skipping migrations (the embedded database migrates itself).");
  process.exit(0);
}

// The package exports no path to its CLI; it sits beside the main entry.
// Neon's Vercel integration also sets a direct (unpooled) URL: migrations prefer it, as Neon
// advises for schema changes; the app keeps the pooled one.
const url = process.env.DATABASE_URL_UNPOOLED?.trim() || process.env.DATABASE_URL;

const drizzleKit = path.join(path.dirname(createRequire(import.meta.url).resolve("drizzle-kit")), "bin.cjs");
console.log("[itinera] applying database migrations (drizzle-kit migrate)…");
const result = spawnSync(process.execPath, [drizzleKit, "migrate"], {
  stdio: "inherit",
  env: { ...process.env, DATABASE_URL: url },
});
if (result.status !== 0) {
  console.error("[itinera] migrations failed: the deploy stops here, before anything is built against a stale schema.");
  process.exit(result.status ?? 1);
}
