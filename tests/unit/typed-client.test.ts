import { describe, expect, it } from "vitest";
import { createItineraClient, waitForDayRevision, waitForItinerary, watchItinerary, type ItineraryResource, type Preview } from "../../clients/typescript/src";

// The typed API client: what it sends, and that a minimal request type-checks while a
// broken one does not (the @ts-expect-error lines fail `npm run typecheck` if they compile).

function recordingFetch(answers: Array<{ status: number; body: unknown; headers?: Record<string, string> }>) {
  const requests: Request[] = [];
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    requests.push(request);
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
    return Response.json(answer.body, { status: answer.status, headers: answer.headers });
  };
  return { fetch, requests };
}

const resource = (status: ItineraryResource["status"]) => ({ id: "00000000-0000-4000-8000-000000000001", status }) as ItineraryResource;

describe("the typed client", () => {
  it("posts a trip with only destination and days, with the API key and an Idempotency-Key", async () => {
    const { fetch, requests } = recordingFetch([{ status: 202, body: { jobId: "job", status: "processing", statusUrl: "u", pageUrl: "p" } }]);
    const client = createItineraClient({ baseUrl: "https://itinera.example/", apiKey: "key-1", fetch });
    const { data } = await client.POST("/api/itineraries", {
      body: { destination: "Lisbon, Portugal", durationDays: 3 },
      headers: { "Idempotency-Key": "order-42" },
    });
    expect(data?.jobId).toBe("job");
    const [request] = requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("https://itinera.example/api/itineraries");
    expect(request?.headers.get("authorization")).toBe("Bearer key-1");
    expect(request?.headers.get("idempotency-key")).toBe("order-42");
    expect(await request?.json()).toEqual({ destination: "Lisbon, Portugal", durationDays: 3 });
  });

  it("hands back the error envelope on an error answer", async () => {
    const envelope = { error: { code: "validation_failed", message: "Some fields need attention." } };
    const { fetch } = recordingFetch([{ status: 422, body: envelope }]);
    const client = createItineraClient({ baseUrl: "https://itinera.example", fetch });
    const { data, error } = await client.POST("/api/itineraries", { body: { destination: "x", durationDays: 99 } });
    expect(data).toBeUndefined();
    expect(error?.error.code).toBe("validation_failed");
  });

  it("waits for a job by reading it as often as Retry-After says, until it has finished", async () => {
    const { fetch, requests } = recordingFetch([
      { status: 200, body: resource("processing"), headers: { "retry-after": "0" } },
      { status: 200, body: resource("processing"), headers: { "retry-after": "0" } },
      { status: 200, body: resource("completed") },
    ]);
    const client = createItineraClient({ baseUrl: "https://itinera.example", fetch });
    const finished = await waitForItinerary(client, "00000000-0000-4000-8000-000000000001");
    expect(finished.status).toBe("completed");
    expect(requests).toHaveLength(3);
    expect(requests[0]?.url).toBe("https://itinera.example/api/itineraries/00000000-0000-4000-8000-000000000001");
  });

  it("revises a day (typed path, body and Idempotency-Key) and waits until that day is no longer revising", async () => {
    const id = "00000000-0000-4000-8000-000000000001";
    const withDay = (state: "ready" | "revising" | "failed", revision: number) =>
      ({ ...resource("completed"), days: [{ day: 1, state: "ready", revision: 1 }, { day: 2, state, revision, error: state === "failed" ? "down" : null }] }) as unknown as ItineraryResource;
    const { fetch, requests } = recordingFetch([
      { status: 202, body: withDay("revising", 1), headers: { "retry-after": "0" } },
      { status: 200, body: withDay("revising", 1), headers: { "retry-after": "0" } },
      { status: 200, body: withDay("ready", 2) },
    ]);
    const client = createItineraClient({ baseUrl: "https://itinera.example", fetch });
    const { data } = await client.POST("/api/itineraries/{id}/days/{day}/revisions", {
      params: { path: { id, day: 2 } },
      body: { instruction: "more relaxed" },
      headers: { "Idempotency-Key": "change-7" },
    });
    expect(data?.days[1]?.state).toBe("revising");
    expect(requests[0]?.url).toBe(`https://itinera.example/api/itineraries/${id}/days/2/revisions`);
    expect(requests[0]?.headers.get("idempotency-key")).toBe("change-7");
    expect(await requests[0]?.json()).toEqual({ instruction: "more relaxed" });

    const { job, day } = await waitForDayRevision(client, id, 2, { intervalMs: 1 });
    expect(day).toMatchObject({ day: 2, state: "ready", revision: 2 });
    expect(job.days).toHaveLength(2);
    expect(requests).toHaveLength(3);
  });

  it("hands back a failed revision as it is, and rejects for a day the trip does not have", async () => {
    const failed = { ...resource("completed"), days: [{ day: 1, state: "failed", revision: 1, error: "The model is unavailable." }] };
    const client = createItineraClient({ baseUrl: "https://itinera.example", fetch: recordingFetch([{ status: 200, body: failed }]).fetch });
    expect((await waitForDayRevision(client, failed.id, 1)).day).toMatchObject({ state: "failed", error: "The model is unavailable." });
    await expect(waitForDayRevision(client, failed.id, 3)).rejects.toThrow(/no day 3/);
    const typeChecks = () => {
      // @ts-expect-error a revision needs an instruction
      void client.POST("/api/itineraries/{id}/days/{day}/revisions", { params: { path: { id: failed.id, day: 1 } }, body: {} });
    };
    expect(typeof typeChecks).toBe("function");
  });

  it("is typed from the API: a missing or misspelt field does not compile", () => {
    const client = createItineraClient({ baseUrl: "https://itinera.example", fetch: recordingFetch([]).fetch });
    const typeChecks = () => {
      // @ts-expect-error durationDays is required
      void client.POST("/api/itineraries", { body: { destination: "Lisbon" } });
      // @ts-expect-error pace is one of relaxed, balanced, packed
      void client.POST("/api/itineraries", { body: { destination: "Lisbon", durationDays: 2, pace: "fast" } });
      // @ts-expect-error the API has no such path
      void client.GET("/api/itinerary");
    };
    expect(typeof typeChecks).toBe("function");
  });

  it("watches a job's event stream: snapshots and previews, resuming with Last-Event-ID until it finishes", async () => {
    const streams = [
      // Split mid-event, with a heartbeat and CRLF line ends: the parser must put it back together.
      ["retry: 10\n\nevent: snapshot\nid: 1\ndata: ", `${JSON.stringify(resource("processing"))}\n\n: heartbeat\r\n\r\n`, 'event: partial\ndata: {"part":"day","day":2,"attempt":1,"value":{"theme":"Old town"}}\n\n'],
      [`event: snapshot\nid: 2\ndata: ${JSON.stringify(resource("completed"))}\n\n`],
    ];
    const requests: Request[] = [];
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      requests.push(new Request(input, init));
      const chunks = streams[requests.length - 1] ?? [];
      const body = new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
          controller.close(); // the server closed before the job finished: reconnect
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    };
    const snapshots: string[] = [];
    const previews: Preview[] = [];
    const finished = await watchItinerary("job-1", {
      baseUrl: "https://itinera.example/",
      apiKey: "key-1",
      fetch,
      onSnapshot: (job) => snapshots.push(job.status),
      onPartial: (preview) => previews.push(preview),
    });
    expect(finished?.status).toBe("completed");
    expect(snapshots).toEqual(["processing", "completed"]);
    expect(previews).toEqual([{ part: "day", day: 2, attempt: 1, value: { theme: "Old town" } }]);
    expect(requests.map((request) => request.url)).toEqual([
      "https://itinera.example/api/itineraries/job-1/events",
      "https://itinera.example/api/itineraries/job-1/events",
    ]);
    expect(requests[0]?.headers.get("last-event-id")).toBeNull();
    expect(requests[1]?.headers.get("last-event-id")).toBe("1");
    expect(requests[1]?.headers.get("authorization")).toBe("Bearer key-1");
  });

  it("stops watching on an error answer, with the server's message", async () => {
    const { fetch } = recordingFetch([{ status: 429, body: { error: { code: "too_many_streams", message: "Too many live streams." } } }]);
    await expect(watchItinerary("job-1", { baseUrl: "https://itinera.example", fetch })).rejects.toThrow("Too many live streams.");
  });
});
