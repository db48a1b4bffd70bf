import type http from "node:http";
import { WebSocketServer, type WebSocket } from "ws";

// Inngest Realtime's side of the SDK (inngest 4.24, read from its source):
// - publish: `POST /v1/realtime/publish?channel=<c>&topic=<t>[&run_id=<r>]`, the JSON data as
//   the body, `Authorization: Bearer <hashed signing key>` (InngestApi.publish);
// - tokens: `POST /v1/realtime/token` with `[{ channel, name: <topic>, kind: "run" }, …]`,
//   answered `{ jwt }` (InngestApi.getSubscriptionToken);
// - subscriptions: a WebSocket to `/v1/realtime/connect?token=<jwt>`, which sends each
//   message as JSON `{ kind: "data", channel, topic, data, run_id, created_at }`
//   (TokenSubscription.connect, Realtime.messageSchema).
// The token here is readable JSON (Inngest's is a JWT it signs); the channel and topics it
// grants are enforced on connect as Inngest does.

export interface Publish {
  channel: string;
  topic: string;
  runId: string | null;
  data: unknown;
}

/** An HTTP status to answer with, the connection dropped, or no answer at all ("hang"). */
export type PublishFailure = number | "drop-connection" | "hang" | null;

export function createFakeRealtime({ token: bearer }: { token?: string } = {}) {
  const publishes: Publish[] = [];
  const tokens: Array<{ channel: string; topics: string[] }> = [];
  const failed: Array<{ channel: string; topic: string; answer: string }> = [];
  const subscribers = new Set<{ socket: WebSocket; channel: string; topics: string[] }>();
  let failure: PublishFailure = null;
  let refusing = false;
  let connections = 0;
  const listeners: Array<(message: Publish) => void> = [];
  const sockets = new WebSocketServer({ noServer: true });

  const authorized = (request: http.IncomingMessage) => bearer === undefined || request.headers.authorization === bearer;

  function broadcast(message: Publish): void {
    for (const subscriber of subscribers) {
      if (subscriber.channel !== message.channel || !subscriber.topics.includes(message.topic)) continue;
      subscriber.socket.send(
        JSON.stringify({
          kind: "data",
          channel: message.channel,
          topic: message.topic,
          data: message.data,
          ...(message.runId ? { run_id: message.runId } : {}),
          created_at: new Date().toISOString(),
        }),
      );
    }
  }

  return {
    publishes,
    tokens,
    failed,
    /** Open subscriptions, by channel. */
    subscriptions: (channel: string) => [...subscribers].filter((subscriber) => subscriber.channel === channel).length,
    /** WebSocket connections accepted so far. */
    connections: () => connections,
    /** Makes every publish from now on fail: an HTTP status, or the connection dropped; null heals it. */
    failPublishes(next: PublishFailure) {
      failure = next;
    },
    /** Refuses new subscriptions (the upgrade answered 503) until called with false. */
    refuseSubscriptions(next: boolean) {
      refusing = next;
    },
    /** Calls `listener` with every accepted publish, as it is accepted. */
    onPublish(listener: (message: Publish) => void) {
      listeners.push(listener);
    },
    /** Publishes as another process would (straight to subscribers). */
    publishElsewhere(message: Publish) {
      publishes.push(message);
      broadcast(message);
    },
    /** Handles a /v1/realtime request; false for any other path. */
    handle(request: http.IncomingMessage, body: string, response: http.ServerResponse): boolean {
      const url = new URL(request.url ?? "/", "http://fake");
      if (url.pathname === "/v1/realtime/publish") {
        const channel = url.searchParams.get("channel") ?? "";
        const topic = url.searchParams.get("topic") ?? "";
        if (failure === "drop-connection") {
          failed.push({ channel, topic, answer: "dropped" });
          request.socket.destroy();
          return true;
        }
        if (failure === "hang") {
          failed.push({ channel, topic, answer: "none" });
          return true;
        }
        response.setHeader("content-type", "application/json");
        if (!authorized(request) || failure !== null) {
          response.statusCode = authorized(request) ? (failure as number) : 401;
          failed.push({ channel, topic, answer: String(response.statusCode) });
          response.end(JSON.stringify({ error: "unavailable" }));
          return true;
        }
        const message = { channel, topic, runId: url.searchParams.get("run_id"), data: JSON.parse(body) as unknown };
        publishes.push(message);
        for (const listener of listeners) listener(message);
        broadcast(message);
        response.end("{}");
        return true;
      }
      if (url.pathname === "/v1/realtime/token") {
        response.setHeader("content-type", "application/json");
        if (!authorized(request)) {
          response.statusCode = 401;
          response.end(JSON.stringify({ error: "unauthorized" }));
          return true;
        }
        const grants = JSON.parse(body) as Array<{ channel: string; name: string; kind: string }>;
        const granted = { channel: grants[0]?.channel ?? "", topics: grants.map((grant) => grant.name) };
        tokens.push(granted);
        response.end(JSON.stringify({ jwt: Buffer.from(JSON.stringify(granted)).toString("base64url") }));
        return true;
      }
      return false;
    },
    /** Handles an HTTP upgrade to /v1/realtime/connect. */
    upgrade(request: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer): void {
      const url = new URL(request.url ?? "/", "http://fake");
      type Grant = { channel: string; topics: string[] };
      let granted: Grant | null;
      try {
        granted = JSON.parse(Buffer.from(url.searchParams.get("token") ?? "", "base64url").toString()) as Grant;
      } catch {
        granted = null;
      }
      if (refusing) {
        socket.end("HTTP/1.1 503 Service Unavailable\r\n\r\n");
        return;
      }
      if (url.pathname !== "/v1/realtime/connect" || !granted?.channel) {
        socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
        return;
      }
      const grant = granted;
      sockets.handleUpgrade(request, socket, head, (ws) => {
        connections += 1;
        const subscriber = { socket: ws, channel: grant.channel, topics: grant.topics };
        subscribers.add(subscriber);
        ws.on("close", () => subscribers.delete(subscriber));
      });
    },
    /** Closes every subscription from the server's side (as a restart of Inngest would). */
    dropSubscriptions() {
      for (const subscriber of subscribers) subscriber.socket.terminate();
    },
    close() {
      for (const subscriber of subscribers) subscriber.socket.terminate();
      sockets.close();
    },
  };
}
export type FakeRealtime = ReturnType<typeof createFakeRealtime>;
