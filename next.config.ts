import type { NextConfig } from "next";
import { parseEnv, realtimeSocketOrigin } from "./lib/env";

// Fail the build or start early, with the variable named, if the environment is invalid.
const env = parseEnv(process.env);
const isDev = env.NODE_ENV === "development";

/**
 * The origin of the map tiles' URL template, as a CSP source: exactly that scheme, host and
 * port ("{s}" subdomains become a wildcard, e.g. https://*.tile.example.org).
 */
function tileSource(template: string): string {
  const url = new URL(template.replace("{s}", "s").replace(/\{[^}]*\}/g, "0"));
  const host = template.includes("{s}.") ? url.host.replace(/^s\./, "*.") : url.host;
  return `${url.protocol}//${host}`;
}

// Scripts: Next's hydration data is inline, so 'unsafe-inline' stays; eval only in dev,
// where React's tooling needs it. Nothing but the map tiles is loaded from another origin;
// on the Inngest runner the trip page also connects to Inngest Realtime's WebSocket.
const realtimeSource = realtimeSocketOrigin(env);
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' data: blob: ${tileSource(env.MAP_TILE_URL)}`,
  "font-src 'self'",
  `connect-src 'self'${isDev ? " ws: wss:" : ""}${realtimeSource && !isDev ? ` ${realtimeSource}` : ""}`,
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
