import http from "node:http";

// The watchers bench's clients, in a process of their own (spawned with an IPC channel), so
// that reading a thousand streams never delays the liveness probes the bench times in its
// own process. Each watcher is one HTTP/1.1 connection holding GET /api/itineraries/{id}/events
// open, as a browser's EventSource does; it parses the events it receives.
//
// Messages from the parent:
//   { type: "open", url, count, concurrency } → { type: "opened", ms, open, refused: { status: n } }
//       at most `concurrency` connections waiting for their first snapshot at a time
//       (status 0: no answer).
//   { type: "await", status, timeoutMs } → { type: "reached", atMs: [...], missing }
//       atMs: for each watcher, when (performance.timeOrigin + now) it received a snapshot
//       with that status.
//   { type: "counts" }               → { type: "counts", events: { snapshot: n, … }, ended }
//   { type: "close" }                → closes every connection and exits.

type Message =
  | { type: "open"; url: string; count: number; concurrency: number }
  | { type: "await"; status: string; timeoutMs: number }
  | { type: "counts" }
  | { type: "close" };

interface Watcher {
  request: http.ClientRequest;
  pending: string;
  /** Statuses of the snapshots received, with when each first arrived. */
  seen: Map<string, number>;
  ended: boolean;
}

const now = () => performance.timeOrigin + performance.now();
const watchers: Watcher[] = [];
const events = new Map<string, number>();
const waiting = new Set<() => void>();
const send = (message: unknown) => process.send?.(message);

function onEvent(watcher: Watcher, block: string) {
  let name = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) name = "comment";
    else if (line.startsWith("event: ")) name = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  events.set(name, (events.get(name) ?? 0) + 1);
  if (name !== "snapshot") return;
  const status = /"status":"([a-z]+)"/.exec(data)?.[1];
  if (status && !watcher.seen.has(status)) {
    watcher.seen.set(status, now());
    for (const wake of waiting) wake();
  }
}

function openOne(url: string): Promise<number> {
  return new Promise((resolve) => {
    const watcher: Watcher = { request: undefined as unknown as http.ClientRequest, pending: "", seen: new Map(), ended: false };
    let settled = false;
    const settle = (status: number) => {
      if (settled) return;
      settled = true;
      resolve(status);
    };
    // agent: false, one connection per watcher, like one browser tab each.
    watcher.request = http.get(url, { agent: false, headers: { accept: "text/event-stream" } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return settle(response.statusCode ?? 0);
      }
      watchers.push(watcher);
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        watcher.pending += chunk;
        let end: number;
        while ((end = watcher.pending.indexOf("\n\n")) >= 0) {
          onEvent(watcher, watcher.pending.slice(0, end));
          watcher.pending = watcher.pending.slice(end + 2);
        }
        if (watcher.seen.size > 0) settle(200);
      });
      response.on("end", () => {
        watcher.ended = true;
        settle(200);
      });
      response.on("error", () => (watcher.ended = true));
    });
    watcher.request.on("error", () => settle(0));
  });
}

async function open(url: string, count: number, concurrency: number) {
  const started = performance.now();
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, concurrency) }, async () => {
      while (next < count) {
        next += 1;
        statuses.push(await openOne(url));
      }
    }),
  );
  const refused: Record<string, number> = {};
  for (const status of statuses) if (status !== 200) refused[status] = (refused[status] ?? 0) + 1;
  send({ type: "opened", ms: performance.now() - started, open: watchers.length, refused });
}

async function awaitStatus(status: string, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (watchers.some((watcher) => !watcher.seen.has(status)) && performance.now() < deadline) {
    await new Promise<void>((resolve) => {
      const wake = () => {
        waiting.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(wake, 100);
      waiting.add(wake);
    });
  }
  const atMs = watchers.flatMap((watcher) => {
    const at = watcher.seen.get(status);
    return at === undefined ? [] : [at];
  });
  send({ type: "reached", atMs, missing: watchers.length - atMs.length });
}

process.on("message", (message: Message) => {
  if (message.type === "open") void open(message.url, message.count, message.concurrency);
  else if (message.type === "await") void awaitStatus(message.status, message.timeoutMs);
  else if (message.type === "counts") {
    send({ type: "counts", events: Object.fromEntries(events), ended: watchers.filter((watcher) => watcher.ended).length });
  } else if (message.type === "close") {
    for (const watcher of watchers) watcher.request.destroy();
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
