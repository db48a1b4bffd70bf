import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import path from "node:path";
import { runMain } from "./support/cli";

// How many database statements each command of the public API costs, through the real
// route handlers on an in-memory PGlite: reads (select) and writes (insert, update, delete)
// per submit, cancel, retry and delete, including the read the route presents. The job
// runner is out of the picture (the Inngest runner with its event sender stubbed), so the
// counts are the command's own.

Object.assign(process.env, {
  JOB_RUNNER: "inngest",
  INNGEST_DEV: "1",
  LOG_LEVEL: "silent",
  RATE_LIMIT_MAX_JOBS: "100",
  MAX_CONCURRENT_JOBS_PER_CLIENT: "100",
});

interface Tally {
  reads: number;
  writes: number;
}

const WRITE = /\b(insert|update|delete)\b/i;

async function main() {
  const { setDatabaseForTests } = await import("@/lib/db/client");
  const schema = await import("@/lib/db/schema");
  const { inngest } = await import("@/inngest/client");
  const collection = await import("@/app/api/itineraries/route");
  const item = await import("@/app/api/itineraries/[id]/route");
  const cancel = await import("@/app/api/itineraries/[id]/cancel/route");
  const retry = await import("@/app/api/itineraries/[id]/retry/route");

  const client = new PGlite("memory://");
  const db = drizzle({ client, schema });
  await migrate(db, { migrationsFolder: path.resolve(import.meta.dirname, "../drizzle") });
  setDatabaseForTests(db as unknown as Parameters<typeof setDatabaseForTests>[0], "pglite");
  // Events go nowhere: only the command's own statements are counted.
  (inngest as { send: unknown }).send = async () => ({ ids: [] });

  const tally: Tally = { reads: 0, writes: 0 };
  const original = client.query.bind(client);
  (client as { query: unknown }).query = (text: string, ...rest: unknown[]) => {
    if (WRITE.test(text)) tally.writes += 1;
    else tally.reads += 1;
    return (original as (...args: unknown[]) => unknown)(text, ...rest);
  };
  const measure = async (run: () => Promise<Response>): Promise<Tally & { status: number }> => {
    tally.reads = 0;
    tally.writes = 0;
    const response = await run();
    await response.text();
    return { ...tally, status: response.status };
  };

  const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
  const base = "http://localhost/api/itineraries";
  const submit = (key?: string) =>
    collection.POST(
      new Request(base, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
        body: JSON.stringify({ destination: "Lisbon, Portugal", durationDays: 2 }),
      }),
    );
  const post = (id: string, verb: string) => new Request(`${base}/${id}/${verb}`, { method: "POST" });

  const rows: Array<[string, Tally & { status: number }]> = [];
  const submitted = await measure(() => submit());
  rows.push(["submit", submitted]);
  rows.push(["submit with Idempotency-Key", await measure(() => submit(`key-${Date.now()}`))]);
  const listed = (await (await collection.GET(new Request(base))).json()) as { data: Array<{ id: string }> };
  const id = listed.data[0]!.id;
  rows.push(["cancel", await measure(() => cancel.POST(post(id, "cancel"), ctx(id)))]);
  rows.push(["cancel again (409)", await measure(() => cancel.POST(post(id, "cancel"), ctx(id)))]);
  rows.push(["retry", await measure(() => retry.POST(post(id, "retry"), ctx(id)))]);
  rows.push(["delete (processing)", await measure(() => item.DELETE(new Request(`${base}/${id}`, { method: "DELETE" }), ctx(id)))]);

  console.log("| command | HTTP | reads | writes |\n| --- | --- | --- | --- |");
  for (const [name, { status, reads, writes }] of rows) console.log(`| ${name} | ${status} | ${reads} | ${writes} |`);
  await client.close();
}

runMain(main);
