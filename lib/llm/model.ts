import "server-only";
import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { env, type Env } from "@/lib/env";
import { processSingleton, replaceProcessSingleton } from "@/lib/singleton";
import { createDemoModel, DEMO_MODEL_LABEL } from "./demo-model";

export interface ChosenModel {
  model: LanguageModelV4;
  /** What people see wherever a model is named: "demo model" or "openai:gpt-5-mini". */
  label: string;
  kind: "openai" | "openai-compatible" | "demo";
}

/**
 * OPENAI_API_KEY → OpenAI; OPENAI_BASE_URL → any OpenAI-compatible server through the same
 * provider (Chat Completions by default, which Ollama, vLLM and LM Studio implement);
 * neither → the offline demo model.
 */
export function chooseModel(config: Env): ChosenModel {
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
    return {
      model: createDemoModel({ latencyMs: config.DEMO_MODEL_LATENCY_MS }),
      label: DEMO_MODEL_LABEL,
      kind: "demo",
    };
  }
  const provider = createOpenAI({
    apiKey: config.OPENAI_API_KEY ?? "not-needed",
    baseURL: config.OPENAI_BASE_URL,
  });
  const api = config.LLM_API ?? (config.OPENAI_BASE_URL ? "chat" : "responses");
  const kind = config.OPENAI_BASE_URL ? "openai-compatible" : "openai";
  return {
    model: api === "chat" ? provider.chat(config.LLM_MODEL) : provider.responses(config.LLM_MODEL),
    label: `${kind === "openai" ? "openai" : "openai-compatible"}:${config.LLM_MODEL}`,
    kind,
  };
}

export function getModel(): ChosenModel {
  return processSingleton("model", () => chooseModel(env()));
}

/** Test hook: run the pipeline against a given model (e.g. a MockLanguageModelV4). */
export function setModelForTests(chosen: ChosenModel | undefined): void {
  replaceProcessSingleton("model", chosen);
}
