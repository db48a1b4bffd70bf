import { NextResponse, type NextRequest } from "next/server";
import { corsResponseHeaders, preflightResponse } from "@/lib/api/cors";
import { methodNotAllowed } from "@/lib/api/routes";
import { env } from "@/lib/env";

// The public JSON API's edge (not /api/inngest, which only Inngest calls): CORS preflights
// are answered here, a method a path does not take gets 405 in the error envelope, and
// actual responses get their CORS headers on the way out. Rules: lib/api/cors.ts, lib/api/routes.ts.

export function proxy(request: NextRequest) {
  const allowedOrigins = env().CORS_ALLOWED_ORIGINS;
  const preflight = preflightResponse(request, allowedOrigins);
  const response = preflight ?? methodNotAllowed(request.nextUrl.pathname, request.method) ?? NextResponse.next();
  if (preflight) return preflight;
  corsResponseHeaders(request, allowedOrigins).forEach((value, name) => response.headers.set(name, value));
  return response;
}

export const config = {
  matcher: ["/api/((?!inngest(?:/|$)).*)"],
};
