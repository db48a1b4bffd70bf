import type { DayPlan } from "../../lib/domain/trip";
import { fakeAnswer, startFakeOpenAIServer } from "../fixtures/fake-openai-server";
import { startTileServer } from "../helpers/tile-server";
import { FAKE_OPENAI_PORT, MAP_TILE_PORT } from "../../playwright.config";
import { FAILING_REVISION, MARKUP_DESCRIPTION, MARKUP_TITLE, SLOW_LANE, SLOW_REVISION, SLOW_STREAM, UNMAPPED, UNAUTHORIZED } from "./markup";


// The fake model answers slowly enough that days visibly land one batch at a time. For a
// destination containing "Injection" it writes markup into the first activity of each day;
// for one containing SLOW_LANE each day takes 2 s longer, so a test can act mid-job; for one
// containing SLOW_STREAM each day is streamed at 25 tokens a second; for one containing UNMAPPED no place has coordinates; for one containing UNAUTHORIZED the model
// refuses the credentials. A day revision whose instruction contains SLOW_REVISION is streamed slowly;
// one containing FAILING_REVISION is rejected. Map tiles come from a stand-in tile server.
export default async function globalSetup() {
  const tiles = await startTileServer({ port: MAP_TILE_PORT });
  const server = await startFakeOpenAIServer({
    port: FAKE_OPENAI_PORT,
    host: "127.0.0.1",
    latencyMs: Number(process.env.FAKE_OPENAI_LATENCY_MS ?? 500),
    reply: (call) => {
      const task = call.task;
      if (task?.trip.destination.includes(UNAUTHORIZED)) return { kind: "http", status: 401, body: { error: { message: "bad key" } } };
      if (task?.task === "revise-day" && task.instruction.includes(SLOW_REVISION)) {
        return { kind: "paced", model: { timeToFirstTokenMs: 200, tokensPerSecond: 60 } };
      }
      if (task?.task === "revise-day" && task.instruction.includes(FAILING_REVISION)) {
        return { kind: "http", status: 400, body: { error: { message: "rejected" } } };
      }
      if (task?.task === "day" && task.trip.destination.includes(SLOW_LANE)) return { kind: "delay", ms: 2_000 };
      if (task?.task === "day" && task.trip.destination.includes(SLOW_STREAM)) {
        return { kind: "paced", model: { timeToFirstTokenMs: 200, tokensPerSecond: 25 } };
      }
      if (task?.task === "day" && task.trip.destination.includes(UNMAPPED)) {
        const answer = fakeAnswer(task) as DayPlan;
        return { kind: "json", value: { ...answer, activities: answer.activities.map((activity) => ({ ...activity, location: null })) } };
      }
      if (task?.task !== "day" || !task.trip.destination.includes("Injection")) return undefined;
      const answer = fakeAnswer(task) as DayPlan;
      const [first, ...rest] = answer.activities;
      if (!first) return undefined;
      return {
        kind: "json",
        value: { ...answer, activities: [{ ...first, title: MARKUP_TITLE, description: MARKUP_DESCRIPTION }, ...rest] },
      };
    },
  });
  return async () => {
    await server.close();
    await tiles.close();
  };
}
