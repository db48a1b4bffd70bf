import { describe, expect, it } from "vitest";
import { CORS_EXPOSED_HEADERS, corsResponseHeaders, crossOriginWriteRefusal, preflightResponse } from "@/lib/api/cors";

// The CORS rules proxy.ts applies: reads from anywhere, writes only from allowed origins.

const ALLOWED = ["https://allowed.example"];
const ENDPOINT = "http://localhost:3000/api/itineraries";

const preflight = (origin: string, method: string) =>
  new Request(ENDPOINT, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": "content-type" },
  });

describe("preflight", () => {
  it("lets an allowed origin write, naming it", () => {
    const response = preflightResponse(preflight("https://allowed.example", "POST"), ALLOWED);
    expect(response?.status).toBe(204);
    expect(response?.headers.get("access-control-allow-origin")).toBe("https://allowed.example");
    expect(response?.headers.get("access-control-allow-methods")).toContain("DELETE");
    expect(response?.headers.get("access-control-allow-headers")).toContain("Idempotency-Key");
    expect(Number(response?.headers.get("access-control-max-age"))).toBeGreaterThan(0);
    expect(response?.headers.get("vary")).toBe("Origin");
  });

  it("refuses writes from any other origin with 403 in the error envelope", async () => {
    for (const method of ["POST", "DELETE", "PUT"]) {
      const response = preflightResponse(preflight("https://evil.example", method), ALLOWED);
      expect(response?.status).toBe(403);
      expect(response?.headers.get("access-control-allow-origin")).toBeNull();
      expect(((await response?.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
  });

  it("lets any origin read, with headers such as If-None-Match", () => {
    const response = preflightResponse(preflight("https://evil.example", "GET"), ALLOWED);
    expect(response?.status).toBe(204);
    expect(response?.headers.get("access-control-allow-origin")).toBe("*");
    expect(response?.headers.get("access-control-allow-methods")).toBe("GET, HEAD");
    expect(response?.headers.get("access-control-allow-headers")).toContain("If-None-Match");
  });

  it('"*" in the list lets every origin write; an empty list lets none', () => {
    expect(preflightResponse(preflight("https://any.example", "DELETE"), ["*"])?.status).toBe(204);
    expect(preflightResponse(preflight("https://allowed.example", "POST"), [])?.status).toBe(403);
  });

  it("leaves a plain OPTIONS request (no CORS headers) to the route", () => {
    expect(preflightResponse(new Request(ENDPOINT, { method: "OPTIONS" }), ALLOWED)).toBeNull();
  });
});

describe("actual responses", () => {
  const request = (method: string, origin?: string) =>
    new Request(ENDPOINT, { method, headers: origin ? { origin } : {} });

  it("reads are open to every origin and expose Location, Retry-After and ETag", () => {
    const headers = corsResponseHeaders(request("GET", "https://evil.example"), ALLOWED);
    expect(headers.get("access-control-allow-origin")).toBe("*");
    expect(headers.get("access-control-expose-headers")).toBe(CORS_EXPOSED_HEADERS);
  });

  it("writes echo an allowed origin and vary on it; others get no CORS grant", () => {
    const allowed = corsResponseHeaders(request("POST", "https://allowed.example"), ALLOWED);
    expect(allowed.get("access-control-allow-origin")).toBe("https://allowed.example");
    expect(allowed.get("access-control-expose-headers")).toBe(CORS_EXPOSED_HEADERS);
    expect(allowed.get("vary")).toBe("Origin");

    const refused = corsResponseHeaders(request("DELETE", "https://evil.example"), ALLOWED);
    expect(refused.get("access-control-allow-origin")).toBeNull();
    expect(refused.get("vary")).toBe("Origin");
  });
});

describe("writes from a browser", () => {
  // `next start` sees its own hostname in the request's URL, whatever host the browser used.
  const write = (headers: Record<string, string>, method = "POST") =>
    new Request("http://localhost:3000/api/itineraries/some-id/cancel", { method, headers });
  const refusal = (headers: Record<string, string>, appOrigin?: string) =>
    crossOriginWriteRefusal(write(headers), ALLOWED, appOrigin);

  it("lets the app's own pages write, at whatever host the browser reached the server", () => {
    expect(refusal({ origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" })).toBeNull();
    expect(refusal({ origin: "https://itinera.example", host: "itinera.example" })).toBeNull();
    // A proxy that rewrote Host: the browser's Sec-Fetch-Site, or X-Forwarded-Host, says it.
    expect(refusal({ origin: "https://itinera.example", host: "localhost:3000", "sec-fetch-site": "same-origin" })).toBeNull();
    expect(refusal({ origin: "https://itinera.example", host: "localhost:3000", "x-forwarded-host": "itinera.example" })).toBeNull();
    expect(refusal({ origin: "https://itinera.example", host: "localhost:3000" }, "https://itinera.example")).toBeNull();
  });

  it("refuses another origin with 403 in the error envelope, before the route runs", async () => {
    const foreign: Array<Record<string, string>> = [
      { origin: "https://evil.example", host: "itinera.example", "sec-fetch-site": "cross-site" },
      { origin: "https://evil.example", host: "itinera.example" },
      // Same host name, another port: another origin.
      { origin: "http://127.0.0.1:8080", host: "127.0.0.1:3000", "sec-fetch-site": "same-site" },
      { origin: "null", host: "itinera.example" },
    ];
    for (const headers of foreign) {
      const response = refusal(headers, "https://itinera.example");
      expect(response?.status, JSON.stringify(headers)).toBe(403);
      expect(((await response?.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
  });

  it("lets an allowed origin write, and leaves requests without an Origin (curl, servers) alone", () => {
    expect(refusal({ origin: "https://allowed.example", host: "itinera.example", "sec-fetch-site": "cross-site" })).toBeNull();
    expect(refusal({ host: "itinera.example" })).toBeNull();
    expect(crossOriginWriteRefusal(write({ origin: "https://evil.example" }, "GET"), ALLOWED)).toBeNull();
  });
});
