import { startFakeOpenAIServer } from "../tests/fixtures/fake-openai-server";
import { migratePostgres, startTemporaryPostgres } from "../tests/helpers/postgres";
import { startTcpProxy } from "../tests/helpers/tcp-proxy";
import { listFlag, numberFlag, readFlags, runMain } from "./support/cli";

// Database outages in the middle of generation, on a throwaway PostgreSQL behind a proxy
// that refuses connections for a while: per outage length, the model calls made against
// the minimum (one per step) and how long after the database came back the last job
// completed. Each outage gets fresh jobs on the same server.

const flags = readFlags({ outages: { type: "string" }, jobs: { type: "string" }, days: { type: "string" } });
const OUTAGES_S = listFlag(flags.outages, [10, 30, 60], "outages");
const JOBS = numberFlag(flags.jobs, 20, "jobs");
const DAYS = numberFlag(flags.days, 3, "days");

async function main() {
  const fake = await startFakeOpenAIServer({ latencyMs: 1_500 });
  const postgres = await startTemporaryPostgres();
  const proxy = await startTcpProxy(postgres.port);
  try {
    await migratePostgres(postgres.url);
    Object.assign(process.env, {
      JOB_RUNNER: "local",
      LOG_LEVEL: "silent",
      DATABASE_URL: postgres.url.replace(`:${postgres.port}/`, `:${proxy.port}/`),
      OPENAI_API_KEY: "bench",
      OPENAI_BASE_URL: fake.url,
      LLM_API: "chat",
      LLM_MODEL: "fake-model",
      LLM_CONCURRENCY: "16",
      RATE_LIMIT_MAX_JOBS: "0",
      MAX_CONCURRENT_JOBS_PER_CLIENT: "0",
    });
    (await import("@/lib/env")).resetEnvCache();
    const { submitItinerary } = await import("@/lib/itineraries/submit");
    const { localRunner } = await import("@/lib/jobs/local-functions");
    const { findItineraryById } = await import("@/lib/db/queries/itineraries");
    const rows: string[] = [];
    for (const outageS of OUTAGES_S) {
      fake.reset();
      const ids: string[] = [];
      for (let index = 0; index < JOBS; index += 1) {
        ids.push((await submitItinerary({ destination: `Outage ${outageS}s ${index}`, durationDays: DAYS })).job.id);
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await proxy.setMode("refuse");
      await new Promise((resolve) => setTimeout(resolve, outageS * 1000));
      await proxy.setMode("up");
      const back = performance.now();
      await localRunner().drain();
      const doneAfterS = (performance.now() - back) / 1000;
      const statuses = await Promise.all(ids.map(async (id) => (await findItineraryById({ id }))?.status));
      const completed = statuses.filter((status) => status === "completed").length;
      const minimum = JOBS * (1 + DAYS);
      rows.push(`| ${outageS} s | ${completed} of ${JOBS} | ${fake.calls.length} | ${minimum} | +${(((fake.calls.length - minimum) / minimum) * 100).toFixed(1)} % | ${doneAfterS.toFixed(1)} s |`);
    }
    console.log("| outage | jobs completed | model calls | minimum | extra | last job done after the database was back |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const row of rows) console.log(row);
    await (await import("@/lib/db/client")).closeDb();
  } finally {
    await proxy.close();
    await postgres.stop();
    await fake.close();
  }
}

runMain(main);
