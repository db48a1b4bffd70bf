import { NextResponse, type NextRequest } from "next/server";
import { corsResponseHeaders, crossOriginWriteRefusal, preflightResponse } from "@/lib/api/cors";
import { methodNotAllowed } from "@/lib/api/routes";
import { databaseAnswers } from "@/lib/db/availability";
import { env } from "@/lib/env";

// The public JSON API's edge (not /api/inngest, which only Inngest calls): CORS preflights
// are answered here, a browser write from a foreign origin is refused (403) before it
// reaches a route, a method a path does not take gets 405 in the error envelope, and actual
// responses get their CORS headers on the way out. Rules: lib/api/cors.ts, lib/api/routes.ts.
// The pages that read trips get a 503 page here when the database does not answer a probe.

const UNAVAILABLE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>Itinera · Try again in a minute</title></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5"><h1>Your trips are out of reach for a moment</h1><p>We cannot reach the place where itineraries are kept. Nothing is lost: please try again in a minute.</p><p><a href="/">Back to the start page</a></p></body></html>`;

export function proxy(request: NextRequest): Response | Promise<Response> {
  if (!request.nextUrl.pathname.startsWith("/api/")) return tripPages();
  return api(request);
}

/** 503 when the database does not answer a quick probe (a page cannot set 503 itself). */
async function tripPages(): Promise<Response> {
  if (await databaseAnswers()) return NextResponse.next();
  return new Response(UNAVAILABLE_PAGE, {
    status: 503,
    headers: { "content-type": "text/html; charset=utf-8", "retry-after": "30", "cache-control": "no-store" },
  });
}

function api(request: NextRequest): Response {
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
  matcher: ["/api/((?!inngest(?:/|$)).*)", "/itineraries", "/itineraries/:path*"],
};
