import { expect, test } from "@playwright/test";

// Against the production server: every /api path answers JSON, so a typed client can always
// parse the answer. Unknown paths → 404, a method the path does not take → 405 with Allow.

const ID = "00000000-0000-4000-8000-000000000000";

test("an unknown API path answers 404 in the error envelope, for any method", async ({ request }) => {
  for (const method of ["GET", "POST", "DELETE"] as const) {
    const response = await request.fetch(`/api/itineraries/${ID}/anything`, { method });
    expect(response.status()).toBe(404);
    expect(response.headers()["content-type"]).toMatch(/^application\/json/);
    expect((await response.json()).error.code).toBe("not_found");
  }
  const nowhere = await request.get("/api/nowhere");
  expect(nowhere.status()).toBe(404);
  expect((await nowhere.json()).error.code).toBe("not_found");
});

test("a method a path does not take answers 405 with Allow, in the error envelope", async ({ request }) => {
  const response = await request.get(`/api/itineraries/${ID}/cancel`);
  expect(response.status()).toBe(405);
  expect(response.headers()["allow"]).toContain("POST");
  expect((await response.json()).error.code).toBe("method_not_allowed");
});
