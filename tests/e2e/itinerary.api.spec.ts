import { expect, test } from "@playwright/test";

interface JobResource {
  id: string;
  status: string;
  destination: string;
  durationDays: number;
  createdAt: string;
  completedAt: string | null;
  itinerary: Array<{ day: number; theme: string; activities: unknown[] }> | null;
  error: string | null;
  progress: number;
  model: string;
  usage: { totalTokens: number } | null;
}

test.describe("the JSON API", () => {
  test("POST answers 202 with Location, and polling reaches the finished itinerary", async ({ request }) => {
    const response = await request.post("/api/itineraries", {
      data: { destination: "Tokyo, Japan", durationDays: 3 },
    });
    expect(response.status()).toBe(202);
    const body = (await response.json()) as { jobId: string; status: string; statusUrl: string };
    expect(body.status).toBe("processing");
    expect(response.headers()["location"]).toBe(body.statusUrl);
    expect(Number(response.headers()["retry-after"])).toBeGreaterThan(0);

    let job: JobResource | undefined;
    await expect
      .poll(
        async () => {
          const poll = await request.get(body.statusUrl);
          expect(poll.status()).toBe(200);
          job = (await poll.json()) as JobResource;
          return job.status;
        },
        { timeout: 30_000, intervals: [250] },
      )
      .toBe("completed");

    expect(job?.destination).toBe("Tokyo, Japan");
    expect(job?.durationDays).toBe(3);
    expect(job?.error).toBeNull();
    expect(job?.progress).toBe(100);
    expect(job?.model).toBe("openai-compatible:fake-model");
    expect(job?.usage?.totalTokens).toBeGreaterThan(0);
    expect(job?.itinerary?.map((day) => day.day)).toEqual([1, 2, 3]);
    expect(job?.itinerary?.every((day) => day.activities.length > 0)).toBe(true);
    expect(Date.parse(job?.completedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(job?.createdAt ?? ""));
  });

  test("bad requests get JSON errors with the right status and nothing is created", async ({ request }) => {
    const before = ((await (await request.get("/api/itineraries?limit=100")).json()) as { data: unknown[] }).data.length;

    const wrongType = await request.post("/api/itineraries", {
      headers: { "content-type": "text/plain" },
      data: "destination=Tokyo",
    });
    expect(wrongType.status()).toBe(415);
    expect((await wrongType.json()).error.code).toBe("unsupported_media_type");

    const malformed = await request.post("/api/itineraries", {
      headers: { "content-type": "application/json" },
      data: Buffer.from("{ not json"),
    });
    expect(malformed.status()).toBe(400);
    expect((await malformed.json()).error.code).toBe("invalid_json");

    const invalid = await request.post("/api/itineraries", {
      data: { destination: "T", durationDays: 30 },
    });
    expect(invalid.status()).toBe(422);
    const invalidBody = await invalid.json();
    expect(invalidBody.error.code).toBe("validation_failed");
    expect(Object.keys(invalidBody.error.details.fields).sort()).toEqual(["destination", "durationDays"]);

    const after = ((await (await request.get("/api/itineraries?limit=100")).json()) as { data: unknown[] }).data.length;
    expect(after).toBe(before);
  });

  test("unknown and malformed ids are 404 JSON, never a stack trace", async ({ request }) => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "1%27%20OR%201%3D1"]) {
      const response = await request.get(`/api/itineraries/${id}`);
      expect(response.status()).toBe(404);
      const text = await response.text();
      expect(JSON.parse(text).error.code).toBe("not_found");
      expect(text).not.toMatch(/at .*\.js|stack|select /i);
    }
  });

  test("health reports the database, the runner and the model", async ({ request }) => {
    const response = await request.get("/api/health");
    expect(response.status()).toBe(200);
    const health = await response.json();
    expect(health).toMatchObject({
      status: "ok",
      database: { ok: true, driver: "pglite" },
      runner: "local",
      model: { label: "openai-compatible:fake-model" },
    });
  });
});
