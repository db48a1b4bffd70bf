import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import * as unknownRoute from "@/app/api/[...path]/route";
import { API_ROUTES } from "@/lib/api/routes";
import { openApiDocument } from "@/lib/api/openapi";
import { proxy } from "@/proxy";

// Every /api path answers JSON: a path the API does not have gets 404 in the error envelope
// (not the HTML not-found page), and a path asked with a method it does not take gets 405
// with Allow. The route table behind the 405s is the OpenAPI document's.

const ORIGIN = "http://localhost:3000";
const ID = "00000000-0000-4000-8000-000000000000";

interface Envelope {
  error: { code: string; message: string; details?: { allow?: string[] } };
}

const throughProxy = async (path: string, method: string) => proxy(new NextRequest(`${ORIGIN}${path}`, { method }));

describe("a method a path does not take", () => {
  it("answers 405 in the error envelope, with Allow naming what the path takes", async () => {
    const cases: Array<[string, string, string[]]> = [
      [`/api/itineraries/${ID}/cancel`, "GET", ["POST"]],
      [`/api/itineraries/${ID}`, "POST", ["GET", "DELETE"]],
      ["/api/itineraries", "DELETE", ["GET", "POST"]],
      ["/api/health", "POST", ["GET"]],
      [`/api/itineraries/${ID}/events`, "PUT", ["GET"]],
    ];
    for (const [path, method, methods] of cases) {
      const response = await throughProxy(path, method);
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const allow = response.headers.get("allow")?.split(", ") ?? [];
      for (const expected of methods) expect(allow).toContain(expected);
      expect(allow).not.toContain(method);
      const body = (await response.json()) as Envelope;
      expect(body.error.code).toBe("method_not_allowed");
      expect(body.error.details?.allow).toEqual(allow);
    }
  });

  it("lets the methods a path takes through to its route, from the app's own origin", async () => {
    for (const [path, method] of [
      [`/api/itineraries/${ID}/cancel`, "POST"],
      [`/api/itineraries/${ID}`, "DELETE"],
      [`/api/itineraries/${ID}`, "HEAD"],
      ["/api/openapi.json", "GET"],
    ] as const) {
      const response = await proxy(new NextRequest(`${ORIGIN}${path}`, { method, headers: { origin: ORIGIN } }));
      expect(response.status, `${method} ${path}`).toBe(200);
      expect(response.headers.get("x-middleware-next")).toBe("1");
    }
  });
});

describe("a path the API does not have", () => {
  it("answers 404 in the error envelope for every method", async () => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as const) {
      const path = `/api/itineraries/${ID}/anything`;
      expect((await throughProxy(path, method)).headers.get("x-middleware-next")).toBe("1");
      const response = await unknownRoute[method](new Request(`${ORIGIN}${path}`, { method }));
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await response.json()) as Envelope;
      expect(body.error.code).toBe("not_found");
      expect(body.error.message).toContain(path);
    }
  });
});

describe("the route table", () => {
  it("lists exactly the paths and methods of the OpenAPI document", () => {
    const documented = Object.entries(openApiDocument().paths ?? {})
      .map(([path, item]) => ({
        path,
        methods: ["get", "post", "put", "patch", "delete"].filter((method) => method in (item as object)).map((method) => method.toUpperCase()),
      }))
      .sort((a, b) => a.path.localeCompare(b.path));
    const listed = API_ROUTES.map((route) => ({ path: route.path, methods: [...route.methods].sort() }))
      .sort((a, b) => a.path.localeCompare(b.path));
    expect(listed).toEqual(documented.map((route) => ({ ...route, methods: route.methods.sort() })));
  });
});
