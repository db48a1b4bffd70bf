import { NextResponse, type NextRequest } from "next/server";
import { corsResponseHeaders, crossOriginWriteRefusal, preflightResponse } from "@/lib/api/cors";
import { methodNotAllowed } from "@/lib/api/routes";
import { env } from "@/lib/env";

// The public JSON API's edge (not /api/inngest, which only Inngest calls): CORS preflights
// are answered here, a browser write from a foreign origin is refused (403) before it
// reaches a route, a method a path does not take gets 405 in the error envelope, and actual
// responses get their CORS headers on the way out. Rules: lib/api/cors.ts, lib/api/routes.ts.

export function proxy(request: NextRequest) {
  const { CORS_ALLOWED_ORIGINS: allowedOrigins, APP_URL } = env();
  const preflight = preflightResponse(request, allowedOrigins);
  if (preflight) return preflight;
  const refusal = crossOriginWriteRefusal(request, allowedOrigins, APP_URL ? new URL(APP_URL).origin : undefined);
  if (refusal) return refusal;
  const response = methodNotAllowed(request.nextUrl.pathname, request.method) ?? NextResponse.next();
  corsResponseHeaders(request, allowedOrigins).forEach((value, name) => response.headers.set(name, value));
  return response;
}

export const config = {
  matcher: ["/api/((?!inngest(?:/|$)).*)"],
};
