import type { NextConfig } from "next";
import { parseEnv } from "./lib/env";

// Fail the build or start early, with the variable named, if the environment is invalid.
const env = parseEnv(process.env);
const isDev = env.NODE_ENV === "development";

// Scripts: Next's hydration data is inline, so 'unsafe-inline' stays; eval only in dev,
// where React's tooling needs it. Nothing is loaded from another origin.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  `connect-src 'self'${isDev ? " ws: wss:" : ""}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

const nextConfig: NextConfig = {
  // PGlite loads its WASM and data files from its own package folder at run time; pino
  // resolves its own files at run time too (Next keeps it external by default; said here
  // so it stays so). The demo model's gazetteer (city-timezones, ~2 MB of JSON) is required
  // on its first lookup: external, it stays one traced copy read only by a demo trip,
  // instead of being inlined into every server chunk group that reaches the model.
  serverExternalPackages: ["@electric-sql/pglite", "pino", "city-timezones"],
  poweredByHeader: false,
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
