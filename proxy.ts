import { NextResponse, type NextRequest } from "next/server";
import { corsResponseHeaders, preflightResponse } from "@/lib/api/cors";
import { env } from "@/lib/env";

// CORS for the public JSON API (not /api/inngest, which only Inngest calls): preflights are
// answered here; actual responses get their CORS headers on the way out. Rules: lib/api/cors.ts.

export function proxy(request: NextRequest) {
  const allowedOrigins = env().CORS_ALLOWED_ORIGINS;
  const preflight = preflightResponse(request, allowedOrigins);
  if (preflight) return preflight;
  const response = NextResponse.next();
  corsResponseHeaders(request, allowedOrigins).forEach((value, name) => response.headers.set(name, value));
  return response;
}

export const config = {
  matcher: ["/api/itineraries/:path*", "/api/health/:path*", "/api/openapi.json"],
};
