import { expect, test } from "@playwright/test";
import { SLOW_LANE } from "./markup";

// CORS as a browser meets it on the production server (CORS_ALLOWED_ORIGINS is
// https://allowed.example in playwright.config.ts): reads from anywhere, writes only from
// the allowed origin, /api/inngest left alone.

const ALLOWED = "https://allowed.example";
const STRANGER = "https://random-site.example";

const preflight = (origin: string, method: string, requestHeaders = "content-type") => ({
  method: "OPTIONS",
  headers: {
    origin,
    "access-control-request-method": method,
    "access-control-request-headers": requestHeaders,
  },
});

test("a preflight from the allowed origin may POST with an Idempotency-Key", async ({ request }) => {
  const response = await request.fetch("/api/itineraries", preflight(ALLOWED, "POST", "content-type,idempotency-key"));
  expect(response.status()).toBe(204);
  const headers = response.headers();
  expect(headers["access-control-allow-origin"]).toBe(ALLOWED);
  expect(headers["access-control-allow-methods"]).toContain("POST");
  expect(headers["access-control-allow-methods"]).toContain("DELETE");
  expect(headers["access-control-allow-headers"]).toContain("Idempotency-Key");
  expect(Number(headers["access-control-max-age"])).toBeGreaterThan(0);
  expect(headers["vary"]).toContain("Origin");
});

test("a preflight for a write from another origin is refused with 403 JSON", async ({ request }) => {
  for (const [path, method] of [
    ["/api/itineraries", "POST"],
    ["/api/itineraries/00000000-0000-4000-8000-000000000000", "DELETE"],
  ] as const) {
    const response = await request.fetch(path, preflight(STRANGER, method));
    expect(response.status(), `${method} ${path}`).toBe(403);
    expect(response.headers()["access-control-allow-origin"]).toBeUndefined();
    expect((await response.json()).error.code).toBe("forbidden");
  }
});

test("any origin may read, and sees ETag and Retry-After", async ({ request }) => {
  const readPreflight = await request.fetch(
    "/api/itineraries/00000000-0000-4000-8000-000000000000",
    preflight(STRANGER, "GET", "if-none-match"),
  );
  expect(readPreflight.status()).toBe(204);
  expect(readPreflight.headers()["access-control-allow-origin"]).toBe("*");
  expect(readPreflight.headers()["access-control-allow-headers"]).toContain("If-None-Match");

  for (const path of ["/api/health", "/api/openapi.json"]) {
    const response = await request.get(path, { headers: { origin: STRANGER } });
    expect(response.status(), path).toBe(200);
    expect(response.headers()["access-control-allow-origin"]).toBe("*");
    expect(response.headers()["access-control-expose-headers"]).toContain("ETag");
    expect(response.headers()["access-control-expose-headers"]).toContain("Retry-After");
  }
});

test("a POST from the allowed origin gets its origin echoed and the job headers exposed", async ({ request }) => {
  const response = await request.post("/api/itineraries", {
    headers: { origin: ALLOWED },
    data: { destination: "Kyoto, Japan", durationDays: 1 },
  });
  expect(response.status()).toBe(202);
  const headers = response.headers();
  expect(headers["access-control-allow-origin"]).toBe(ALLOWED);
  expect(headers["vary"]).toContain("Origin");
  const exposed = headers["access-control-expose-headers"]?.split(",").map((name) => name.trim()) ?? [];
  expect(exposed).toEqual(expect.arrayContaining(["Location", "Retry-After", "ETag"]));
  expect(headers["location"]).toBeTruthy();
});

test("a cross-origin cancel is refused with 403 and the job keeps running", async ({ request }) => {
  const created = await request.post("/api/itineraries", { data: { destination: `${SLOW_LANE}, Kyoto`, durationDays: 2 } });
  const { jobId } = (await created.json()) as { jobId: string };
  const cancel = await request.post(`/api/itineraries/${jobId}/cancel`, { headers: { origin: "https://evil.example" } });
  expect(cancel.status()).toBe(403);
  expect((await cancel.json()).error.code).toBe("forbidden");
  expect((await (await request.get(`/api/itineraries/${jobId}`)).json()).status).toBe("processing");
  expect((await request.post(`/api/itineraries/${jobId}/cancel`)).status()).toBe(202);
});

test("a POST from another origin gets no CORS grant, and /api/inngest has no CORS at all", async ({ request }) => {
  const post = await request.post("/api/itineraries", {
    headers: { origin: STRANGER, "content-type": "text/plain" },
    data: "destination=Kyoto",
  });
  expect(post.headers()["access-control-allow-origin"]).toBeUndefined();
  // The server itself refuses it, before anything changes: not only the browser's reading.
  expect(post.status()).toBe(403);

  const inngest = await request.fetch("/api/inngest", preflight(ALLOWED, "POST"));
  expect(inngest.headers()["access-control-allow-origin"]).toBeUndefined();
});
