import { AppError } from "@/lib/errors";

// CORS for the JSON API (applied by proxy.ts). Reads are public, so any origin may GET;
// writes are allowed only from the origins in CORS_ALLOWED_ORIGINS. No cookies are involved
// (API keys travel in Authorization), so credentials are never allowed.

const READ_METHODS = new Set(["GET", "HEAD"]);
const WRITE_METHODS = new Set(["POST", "DELETE"]);

export const CORS_ALLOWED_HEADERS = "Content-Type, Idempotency-Key, Authorization, If-None-Match, Last-Event-ID";
export const CORS_EXPOSED_HEADERS = "Location, Retry-After, ETag";
/** How long a browser may reuse a preflight answer (Chromium caps it at two hours). */
export const CORS_MAX_AGE_SECONDS = 7200;

/** True when a browser at `origin` may send writes ("*" in the list allows any origin). */
export function mayWriteFrom(origin: string, allowedOrigins: readonly string[]): boolean {
  return allowedOrigins.includes("*") || allowedOrigins.includes(origin);
}

const isPreflight = (request: Request) =>
  request.method === "OPTIONS" &&
  request.headers.has("origin") &&
  request.headers.has("access-control-request-method");

/**
 * The answer to a CORS preflight: 204 with what the origin may do, or 403 in the error
 * envelope when it may not. Null when the request is not a preflight.
 */
export function preflightResponse(request: Request, allowedOrigins: readonly string[]): Response | null {
  if (!isPreflight(request)) return null;
  const origin = request.headers.get("origin") ?? "";
  const method = (request.headers.get("access-control-request-method") ?? "").toUpperCase();
  const writer = mayWriteFrom(origin, allowedOrigins);

  if (!READ_METHODS.has(method) && !(writer && WRITE_METHODS.has(method))) {
    const refusal = new AppError(
      "forbidden",
      WRITE_METHODS.has(method)
        ? `Browsers at ${origin} may not ${method} to this API. Only reads are open to every origin.`
        : `${method} is not available from a browser on another origin.`,
    );
    return Response.json(refusal.toJSON(), { status: 403, headers: { Vary: "Origin" } });
  }
  return new Response(null, {
    status: 204,
    headers: {
      // A writer's answer names it (and lists the writes); anyone else gets the read-only one.
      "Access-Control-Allow-Origin": writer ? origin : "*",
      "Access-Control-Allow-Methods": writer ? "GET, HEAD, POST, DELETE" : "GET, HEAD",
      "Access-Control-Allow-Headers": CORS_ALLOWED_HEADERS,
      "Access-Control-Max-Age": String(CORS_MAX_AGE_SECONDS),
      Vary: "Origin",
    },
  });
}

/** The CORS headers for an actual (non-preflight) response to this request. */
export function corsResponseHeaders(request: Request, allowedOrigins: readonly string[]): Headers {
  const headers = new Headers();
  if (READ_METHODS.has(request.method)) {
    // The same for every origin, so caches need not vary on it.
    headers.set("Access-Control-Allow-Origin", "*");
    headers.set("Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS);
    return headers;
  }
  if (!WRITE_METHODS.has(request.method)) return headers;
  headers.set("Vary", "Origin");
  const origin = request.headers.get("origin");
  if (origin && mayWriteFrom(origin, allowedOrigins)) {
    headers.set("Access-Control-Allow-Origin", origin);
    headers.set("Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS);
  }
  return headers;
}

/**
 * True when a browser request comes from the app's own pages. A browser says so in
 * Sec-Fetch-Site, which pages cannot set; without it, the Origin must be the app's: APP_URL,
 * the request's URL, or the host the browser addressed (`next start` sees its own hostname in
 * the request's URL, not the one the browser used; a proxy may pass that on in X-Forwarded-Host,
 * as Next's own server-action check assumes).
 */
function isOwnOrigin(request: Request, origin: string, appOrigin: string | undefined): boolean {
  if (request.headers.get("sec-fetch-site") === "same-origin") return true;
  if (origin === appOrigin || origin === new URL(request.url).origin) return true;
  const addressed = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || request.headers.get("host");
  if (!addressed) return false;
  try {
    return new URL(origin).host === addressed.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * A browser write from another origin is refused by the server, before anything changes:
 * 403 when the request's Origin is neither the app's own nor allowed. Without an Origin
 * (curl, servers) there is no browser to protect, and null is returned.
 */
export function crossOriginWriteRefusal(
  request: Request,
  allowedOrigins: readonly string[],
  appOrigin?: string,
): Response | null {
  if (READ_METHODS.has(request.method) || request.method === "OPTIONS") return null;
  const origin = request.headers.get("origin");
  if (origin === null || isOwnOrigin(request, origin, appOrigin) || mayWriteFrom(origin, allowedOrigins)) return null;
  const refusal = new AppError("forbidden", `Browsers at ${origin} may not ${request.method} to this API.`);
  return Response.json(refusal.toJSON(), { status: refusal.status, headers: { Vary: "Origin" } });
}
