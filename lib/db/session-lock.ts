import "server-only";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { dedicatedClient, type DedicatedClient } from "./notifications";

// A session-level advisory lock held on a connection of its own: whoever holds it is the
// one process doing something for the database (running the local runner's jobs). The
// lock lives as long as that connection: when the process dies or its connection drops,
// PostgreSQL frees it and another process takes it over.

export interface SessionLock {
  /** True while this process holds the lock. */
  readonly held: boolean;
  /** Releases the lock (closing its connection) and stops trying. */
  stop(): Promise<void>;
}

export interface SessionLockOptions {
  /** The lock's key (a 64-bit integer, as pg_try_advisory_lock takes it). */
  key: bigint;
  /** While the lock is held, notifications on this channel go to onPayload. */
  channel: string;
  /** How often a process without the lock tries to take it. */
  retryMs: number;
  onAcquired: () => void;
  /** The lock's connection dropped: another process may hold the lock now. */
  onLost: () => void;
  onPayload: (payload: string) => void;
}

export function holdSessionLock({ key, channel, retryMs, onAcquired, onLost, onPayload }: SessionLockOptions): SessionLock {
  const databaseUrl = env().DATABASE_URL;
  let client: DedicatedClient | null = null;
  let held = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void attempt(), retryMs);
    timer.unref();
  };

  const drop = (current: DedicatedClient, error?: Error) => {
    if (client !== current) return;
    client = null;
    void current.end().catch(() => {});
    if (held) {
      held = false;
      if (!stopped) logger("leader").warn({ err: error }, "lost the local runner's lock (its connection dropped)");
      onLost();
    }
    schedule();
  };

  async function attempt(): Promise<void> {
    if (stopped || !databaseUrl) return;
    try {
      if (!client) {
        const next = await dedicatedClient(databaseUrl);
        next.on("error", (error) => drop(next, error));
        next.on("end", () => drop(next));
        next.on("notification", (message) => {
          if (held && message.channel === channel && message.payload !== undefined) onPayload(message.payload);
        });
        client = next;
        await next.connect();
      }
      const { rows } = await client.query(`select pg_try_advisory_lock(${key.toString()}) as locked`);
      if (rows[0]?.locked === true) {
        await client.query(`listen ${channel}`);
        if (stopped) return;
        held = true;
        onAcquired();
        return;
      }
    } catch (error) {
      if (client) return drop(client, error instanceof Error ? error : new Error(String(error)));
    }
    schedule();
  }

  void attempt();
  return {
    get held() {
      return held;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      held = false;
      const current = client;
      client = null;
      await current?.end().catch(() => {});
    },
  };
}
