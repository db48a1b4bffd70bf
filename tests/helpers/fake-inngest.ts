import http from "node:http";

export interface ReceivedEvent {
  name: string;
  id?: string;
  data: Record<string, unknown>;
}

/**
 * A stand-in for the Inngest event API (the dev server's or Inngest Cloud's `POST /e/:key`):
 * records every event sent, or answers with an error status to simulate an outage.
 */
export async function startFakeInngestEventApi() {
  const events: ReceivedEvent[] = [];
  let failWith: number | null = null;
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      response.setHeader("content-type", "application/json");
      if (failWith !== null || !request.url?.startsWith("/e/")) {
        response.statusCode = failWith ?? 404;
        response.end(JSON.stringify({ error: "unavailable" }));
        return;
      }
      const received = JSON.parse(body) as ReceivedEvent | ReceivedEvent[];
      const batch = Array.isArray(received) ? received : [received];
      events.push(...batch);
      response.end(JSON.stringify({ ids: batch.map((event) => event.id ?? "generated"), status: 200 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    failWith(status: number | null) {
      failWith = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
