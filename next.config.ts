import type { NextConfig } from "next";
import { parseEnv } from "./lib/env";

// Fail the build or start early, with the variable named, if the environment is invalid.
parseEnv(process.env);

const nextConfig: NextConfig = {
  // PGlite loads its WASM and data files from its own package folder at run time.
  serverExternalPackages: ["@electric-sql/pglite"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
