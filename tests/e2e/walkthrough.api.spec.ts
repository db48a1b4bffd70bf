import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { createItineraClient } from "../../clients/typescript/src";
import { E2E_WEBHOOK_SECRET } from "../../playwright.config";

// What an API client does end to end, with the typed client (clients/typescript): request
// an itinerary with a callback URL, follow it over Server-Sent Events until it completes,
// read the result, and receive a webhook it can verify — with nothing but node:crypto, as
// docs/api.md shows.

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

function verify(delivery: Delivery): boolean {
  const id = String(delivery.headers["webhook-id"]);
  const timestamp = String(delivery.headers["webhook-timestamp"]);
  const key = Buffer.from(E2E_WEBHOOK_SECRET.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${delivery.body}`).digest();
  return String(delivery.headers["webhook-signature"])
    .split(" ")
    .some((entry) => {
      const [version, signature] = entry.split(",");
      const given = Buffer.from(signature ?? "", "base64");
      return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

test("POST → live events → completed → a signed webhook arrives", async ({ request, baseURL }) => {
  const itinera = createItineraClient({ baseUrl: baseURL! });
  const deliveries: Delivery[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      deliveries.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const { port } = receiver.address() as AddressInfo;

  try {
    const created = await itinera.POST("/api/itineraries", {
      body: { destination: "Hanoi, Vietnam", durationDays: 2, callbackUrl: `http://127.0.0.1:${port}/hooks/itinera` },
    });
    expect(created.response.status).toBe(202);
    expect(created.error).toBeUndefined();
    const jobId = created.data!.jobId;

    // The stream ends by itself once the job is finished; its last snapshot is the result.
    const stream = await request.get(`/api/itineraries/${jobId}/events`, { timeout: 60_000 });
    expect(stream.headers()["content-type"]).toMatch(/^text\/event-stream/);
    const snapshots = [...(await stream.text()).matchAll(/event: snapshot\nid: \d+\ndata: (.*)\n\n/g)].map(
      (match) => JSON.parse(match[1]!) as { status: string; daysCompleted: number },
    );
    expect(snapshots[0]?.status).toBe("processing");
    expect(snapshots.at(-1)).toMatchObject({ status: "completed", daysCompleted: 2 });
    const { data: finished } = await itinera.GET("/api/itineraries/{id}", { params: { path: { id: jobId } } });
    expect(finished?.itinerary?.map((day) => day.day)).toEqual([1, 2]);

    await expect.poll(() => deliveries.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const [delivery] = deliveries;
    expect(verify(delivery!)).toBe(true);
    const event = JSON.parse(delivery!.body) as { type: string; data: { id: string; status: string; itinerary: unknown[] } };
    expect(event.type).toBe("itinerary.completed");
    expect(event.data).toMatchObject({ id: jobId, status: "completed" });
    expect(event.data.itinerary).toHaveLength(2);
    // A tampered body does not verify.
    expect(verify({ ...delivery!, body: delivery!.body.replace("completed", "failed") })).toBe(false);
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
