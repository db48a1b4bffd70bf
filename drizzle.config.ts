import { defineConfig } from "drizzle-kit";
import { parseEnv } from "./lib/env";

const env = parseEnv(process.env);

// With no DATABASE_URL the commands act on the embedded PGlite database the app uses.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
  ...(env.DATABASE_URL
    ? { dbCredentials: { url: env.DATABASE_URL } }
    : { driver: "pglite", dbCredentials: { url: env.PGLITE_DIR } }),
});
