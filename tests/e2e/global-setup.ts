import { startFakeOpenAIServer } from "../fixtures/fake-openai-server";
import { FAKE_OPENAI_PORT } from "../../playwright.config";

// The fake model answers slowly enough that days visibly land one batch at a time.
export default async function globalSetup() {
  const server = await startFakeOpenAIServer({
    port: FAKE_OPENAI_PORT,
    host: "127.0.0.1",
    latencyMs: Number(process.env.FAKE_OPENAI_LATENCY_MS ?? 500),
  });
  return async () => {
    await server.close();
  };
}
