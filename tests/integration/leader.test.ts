import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migratePostgres, startTemporaryPostgres, type TemporaryPostgres } from "../helpers/postgres";

// One local runner per database: the instance holding a session-level advisory lock leads;
// the others hand work to it over NOTIFY, and one of them takes over within seconds when
// the leader's connection dies. Two instances are two locks held from this process.

process.env.JOB_RUNNER = "local";

let postgres: TemporaryPostgres;
let admin: pg.Client;
let lock: typeof import("@/lib/db/session-lock");
let leader: typeof import("@/lib/jobs/leader");

const KEY = 0x6974696e657261n;
const CHANNEL = "itinera_work";

beforeAll(async () => {
  postgres = await startTemporaryPostgres();
  await migratePostgres(postgres.url);
  process.env.DATABASE_URL = postgres.url;
  (await import("@/lib/env")).resetEnvCache();
  lock = await import("@/lib/db/session-lock");
  leader = await import("@/lib/jobs/leader");
  admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
}, 120_000);

afterAll(async () => {
  await leader?.stopLeadership();
  await admin?.end();
  await (await import("@/lib/db/client")).closeDb();
  await postgres?.stop();
});

function instance(name: string) {
  const events: string[] = [];
  const handle = lock.holdSessionLock({
    key: KEY,
    channel: CHANNEL,
    retryMs: 200,
    onAcquired: () => events.push("lead"),
    onLost: () => events.push("lost"),
    onPayload: (payload) => events.push(`work ${payload}`),
  });
  return { name, events, handle };
}

describe("leadership over one PostgreSQL", () => {
  it("lets one instance lead, hands it the work, and moves the lead when its connection dies", async () => {
    const a = instance("a");
    await vi.waitFor(() => expect(a.handle.held).toBe(true));
    const b = instance("b");
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(b.handle.held).toBe(false);

    await admin.query("select pg_notify($1, $2)", [CHANNEL, "start:job-1"]);
    await vi.waitFor(() => expect(a.events).toContain("work start:job-1"));
    expect(b.events).not.toContain("work start:job-1");

    // The leader's process dies: PostgreSQL ends its session, which frees the lock.
    const { rows } = await admin.query<{ pid: number }>(
      "select pid from pg_locks where locktype = 'advisory' and granted and objid = $1::bigint % 4294967296",
      [KEY.toString()],
    );
    expect(rows).toHaveLength(1);
    const killedAt = performance.now();
    await admin.query("select pg_terminate_backend($1)", [rows[0]!.pid]);
    await vi.waitFor(() => expect(b.handle.held).toBe(true), { timeout: 5_000, interval: 20 });
    const takeoverMs = performance.now() - killedAt;
    expect(takeoverMs).toBeLessThan(2_000);
    await vi.waitFor(() => expect(a.events).toContain("lost"));
    expect(a.handle.held).toBe(false);

    await admin.query("select pg_notify($1, $2)", [CHANNEL, "cancel:job-1"]);
    await vi.waitFor(() => expect(b.events).toContain("work cancel:job-1"));
    await a.handle.stop();
    await b.handle.stop();
  });

  it("makes a follower hand new jobs and cancels to the leader instead of running them", async () => {
    const other = instance("the leader elsewhere");
    await vi.waitFor(() => expect(other.handle.held).toBe(true));
    const work: string[] = [];
    leader.startLeadership({ onLead: () => work.push("lead"), onFollow: () => {}, onWork: () => {} });
    await vi.waitFor(() => expect(leader.isLeader()).toBe(false));

    const { dispatchItineraryCancelled, dispatchItineraryRequested } = await import("@/lib/jobs/dispatch");
    const { localRunner } = await import("@/lib/jobs/local-functions");
    const id = crypto.randomUUID();
    await dispatchItineraryRequested(id);
    await dispatchItineraryCancelled(id);
    await vi.waitFor(() => expect(other.events).toEqual(expect.arrayContaining([`work start:${id}`, `work cancel:${id}`])));
    expect(localRunner().activeJobIds).not.toContain(id);
    expect(work).toEqual([]);

    // The leader stops: this instance takes over.
    await other.handle.stop();
    await vi.waitFor(() => expect(leader.isLeader()).toBe(true), { timeout: 5_000 });
    expect(work).toEqual(["lead"]);
  });
});
