import type { LanguageModelV4CallOptions, LanguageModelV4GenerateResult, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { MockLanguageModelV4 } from "ai/test";

// A mock model written as one answer per call (doGenerate), which also streams that
// answer, since Itinera calls models through streamText. The answer's text arrives in
// `pieces` deltas, `gapMs` apart; an error thrown by `doGenerate` is the provider's error
// before any token, as an HTTP failure would be. `beforePiece` runs before each delta: it
// may wait (a slow model) or throw (the connection drops mid-answer).

export interface StreamingModelOptions {
  doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> | LanguageModelV4GenerateResult;
  pieces?: number;
  gapMs?: number;
  beforePiece?: (options: LanguageModelV4CallOptions, index: number) => Promise<void> | void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function streamingModel({ doGenerate, pieces = 4, gapMs = 0, beforePiece }: StreamingModelOptions): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    doGenerate: async (options) => doGenerate(options),
    doStream: async (options) => {
      const answer = await doGenerate(options);
      const text = answer.content.map((part) => (part.type === "text" ? part.text : "")).join("");
      const size = Math.max(1, Math.ceil(text.length / pieces));
      const parts: LanguageModelV4StreamPart[] = [];
      for (let start = 0; start < text.length; start += size) {
        parts.push({ type: "text-delta", id: "answer", delta: text.slice(start, start + size) });
      }
      return {
        stream: new ReadableStream<LanguageModelV4StreamPart>({
          async start(controller) {
            controller.enqueue({ type: "stream-start", warnings: [] });
            controller.enqueue({ type: "text-start", id: "answer" });
            for (const [index, part] of parts.entries()) {
              try {
                if (gapMs > 0) await sleep(gapMs);
                await beforePiece?.(options, index);
                options.abortSignal?.throwIfAborted();
              } catch (error) {
                controller.error(error);
                return;
              }
              controller.enqueue(part);
            }
            controller.enqueue({ type: "text-end", id: "answer" });
            controller.enqueue({ type: "finish", usage: answer.usage, finishReason: answer.finishReason });
            controller.close();
          },
        }),
      };
    },
  });
}

/** A model's whole answer to one call: `value` as JSON text, with these token counts. */
export function jsonAnswer(value: unknown, { input = 10, output = 10 }: { input?: number; output?: number } = {}): LanguageModelV4GenerateResult {
  return {
    content: [{ type: "text", text: JSON.stringify(value) }],
    finishReason: { unified: "stop", raw: "stop" },
    usage: {
      inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: output, text: output, reasoning: 0 },
    },
    warnings: [],
  };
}
