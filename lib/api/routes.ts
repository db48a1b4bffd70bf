import { AppError } from "@/lib/errors";

// The JSON API's paths and the methods each answers, so that every /api path answers in the
// error envelope: an unknown path gets 404 (app/api/[...path]/route.ts), a known path asked
// with another method gets 405 with Allow (proxy.ts). A test keeps this table equal to the
// OpenAPI document. /api/inngest is Inngest's, not part of the public API.

export interface ApiRoute {
  /** As the OpenAPI document writes it. */
  path: string;
  methods: readonly string[];
}

export const API_ROUTES: readonly ApiRoute[] = [
  { path: "/api/itineraries", methods: ["GET", "POST"] },
  { path: "/api/itineraries/{id}", methods: ["GET", "DELETE"] },
  { path: "/api/itineraries/{id}/cancel", methods: ["POST"] },
  { path: "/api/itineraries/{id}/retry", methods: ["POST"] },
  { path: "/api/itineraries/{id}/events", methods: ["GET"] },
  { path: "/api/itineraries/{id}/realtime-token", methods: ["GET"] },
  { path: "/api/itineraries/{id}/days/{day}/revisions", methods: ["POST"] },
  { path: "/api/itineraries/{id}/days/{day}/undo", methods: ["POST"] },
  { path: "/api/itineraries/{id}/days/{day}/activities/{index}", methods: ["DELETE"] },
  { path: "/api/health", methods: ["GET"] },
  { path: "/api/health/live", methods: ["GET"] },
  { path: "/api/openapi.json", methods: ["GET"] },
];

const matchers = API_ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\./g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}/?$`),
}));

/** The route a path belongs to, if any. */
export function findApiRoute(pathname: string): ApiRoute | undefined {
  return matchers.find(({ pattern }) => pattern.test(pathname))?.route;
}

/** The methods a route answers, as an Allow header lists them (HEAD goes with GET). */
export function allowedMethods(route: ApiRoute): string[] {
  return [...route.methods, ...(route.methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"];
}

/** 405 in the error envelope for a known path asked with a method it does not answer; else null. */
export function methodNotAllowed(pathname: string, method: string): Response | null {
  const route = findApiRoute(pathname);
  if (!route) return null;
  const allow = allowedMethods(route);
  if (allow.includes(method.toUpperCase())) return null;
  const error = new AppError("method_not_allowed", `${method.toUpperCase()} is not allowed here; use ${route.methods.join(" or ")}.`, {
    allow,
  });
  return Response.json(error.toJSON(), { status: error.status, headers: { Allow: allow.join(", ") } });
}

/** 404 in the error envelope for a path the API does not have. */
export function unknownApiPath(pathname: string): Response {
  const error = new AppError("not_found", `The API has no ${pathname}. See /api/openapi.json for what it has.`);
  return Response.json(error.toJSON(), { status: error.status });
}
