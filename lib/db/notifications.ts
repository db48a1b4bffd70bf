import "server-only";
import { sql } from "drizzle-orm";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { driverFor, getDb } from "./client";

// Postgres LISTEN/NOTIFY: how processes sharing one database tell each other that something
// changed, without anyone polling. PGlite lives in one process, where there is no one else
// to tell: there both are no-ops.

/** False for the embedded database (one process: in-process events are enough). */
export function databaseCanNotify(): boolean {
  return driverFor(env().DATABASE_URL) !== "pglite";
}

/** Sends `payload` to every connection listening on `channel` (delivered at commit). */
export async function notifyChannel(channel: string, payload: string): Promise<void> {
  if (!databaseCanNotify()) return;
  const db = await getDb();
  await db.execute(sql`select pg_notify(${channel}, ${payload})`);
}

/** A connection of its own (not from the pool): for LISTEN and for session-level locks. */
export interface DedicatedClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<unknown>;
  on(event: "notification", listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: "error" | "end", listener: (error?: Error) => void): unknown;
}

export async function dedicatedClient(databaseUrl: string): Promise<DedicatedClient> {
  if (driverFor(databaseUrl) === "neon") {
    const { Client, neonConfig } = await import("@neondatabase/serverless");
    const { default: ws } = await import("ws");
    neonConfig.webSocketConstructor = ws;
    return new Client({ connectionString: databaseUrl }) as unknown as DedicatedClient;
  }
  const { Client } = await import("pg");
  return new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 }) as unknown as DedicatedClient;
}

export interface Listener {
  /** True while the LISTEN connection is up (notifications arrive). */
  readonly connected: boolean;
  stop(): Promise<void>;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

/**
 * Listens on `channel` over one dedicated connection, reconnecting with backoff when it
 * drops. `onConnected` runs on every (re)connection: notifications sent while the
 * connection was down are lost, so a listener should catch up then.
 */
export function listenChannel(
  channel: string,
  { onPayload, onConnected }: { onPayload: (payload: string) => void; onConnected: () => void },
): Listener {
  const databaseUrl = env().DATABASE_URL;
  let client: DedicatedClient | null = null;
  let connected = false;
  let stopped = false;
  let delay = RECONNECT_MIN_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const retry = () => {
    connected = false;
    client = null;
    if (stopped) return;
    timer = setTimeout(() => void open(), delay);
    timer.unref();
    delay = Math.min(RECONNECT_MAX_MS, delay * 2);
  };

  async function open(): Promise<void> {
    if (!databaseUrl || stopped) return;
    const next = await dedicatedClient(databaseUrl);
    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      if (!stopped) logger("live").warn({ err: error }, "the change feed's LISTEN connection dropped; reconnecting");
      void next.end().catch(() => {});
      retry();
    };
    next.on("error", drop);
    next.on("end", drop);
    next.on("notification", (message) => {
      if (message.channel === channel && message.payload !== undefined) onPayload(message.payload);
    });
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
    } catch (error) {
      drop(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (stopped) return void next.end().catch(() => {});
    client = next;
    connected = true;
    delay = RECONNECT_MIN_MS;
    onConnected();
  }

  void open();
  return {
    get connected() {
      return connected;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      connected = false;
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
