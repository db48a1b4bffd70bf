import { APICallError, NoObjectGeneratedError, NoOutputGeneratedError, RetryError } from "ai";
import { NonRetriableError, RetryAfterError } from "inngest";

// Every LLM failure becomes one of three things a runner understands: fail now
// (NonRetriableError), retry after the provider's hint (RetryAfterError), or retry with
// backoff (a plain Error). Messages are for people: no provider body, no stack.

/** A retriable LLM failure whose message is written for people. */
export class LlmCallError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LlmCallError";
  }
}

export type LlmErrorKind = "fatal" | "rate_limited" | "transient";

export interface LlmErrorClass {
  kind: LlmErrorKind;
  message: string;
  /** Milliseconds to wait before the next attempt, when the provider said. */
  retryAfterMs?: number;
}

function headerValue(headers: Record<string, string> | undefined, name: string) {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

/** `retry-after-ms` (OpenAI) wins over `retry-after` (seconds or an HTTP date). */
export function retryAfterFromHeaders(
  headers: Record<string, string> | undefined,
  now: number = Date.now(),
): number | undefined {
  const ms = Number(headerValue(headers, "retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0 && headerValue(headers, "retry-after-ms") !== undefined) {
    return ms;
  }
  const raw = headerValue(headers, "retry-after");
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === "TimeoutError" ||
      error.name === "AbortError" ||
      /timed? ?out|aborted/i.test(error.message))
  );
}

function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as { cause?: { code?: string } }).cause;
  return (
    /fetch failed|ECONNREFUSED|ECONNRESET|ENOTFOUND|socket hang up/i.test(error.message) ||
    ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "UND_ERR_SOCKET"].includes(cause?.code ?? "")
  );
}

export function classifyLlmError(error: unknown): LlmErrorClass {
  if (RetryError.isInstance(error)) return classifyLlmError(error.lastError);

  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    if (status === 401 || status === 403) {
      return {
        kind: "fatal",
        message: `The language model refused our credentials (HTTP ${status}). The operator should check OPENAI_API_KEY.`,
      };
    }
    if (status === 404) {
      return {
        kind: "fatal",
        message: "The language model was not found (HTTP 404). The operator should check LLM_MODEL and OPENAI_BASE_URL.",
      };
    }
    if (status === 429) {
      return {
        kind: "rate_limited",
        message: "The language model is rate limiting requests (HTTP 429).",
        retryAfterMs: retryAfterFromHeaders(error.responseHeaders),
      };
    }
    if (status !== undefined && status >= 500) {
      return { kind: "transient", message: `The language model is unavailable (HTTP ${status}).` };
    }
    if (status === 408 || status === 409) {
      return { kind: "transient", message: `The language model asked us to try again (HTTP ${status}).` };
    }
    if (status !== undefined && status >= 400) {
      return {
        kind: "fatal",
        message: `The language model rejected the request (HTTP ${status}).`,
      };
    }
    if (isTimeout(error.cause) || isTimeout(error)) {
      return { kind: "transient", message: "The language model did not answer in time." };
    }
    return { kind: "transient", message: "Could not reach the language model." };
  }

  if (NoObjectGeneratedError.isInstance(error)) {
    // A refusal comes back as text with finish reason content-filter. Sampling differs from
    // call to call, so it is retried, but a persistent refusal is named as such.
    if (error.finishReason === "content-filter") {
      return { kind: "transient", message: "The language model declined to plan this trip." };
    }
    return {
      kind: "transient",
      message: "The language model's answer did not match the itinerary format.",
    };
  }
  if (NoOutputGeneratedError.isInstance(error)) {
    return { kind: "transient", message: "The language model returned an empty answer." };
  }
  if (isTimeout(error)) {
    return { kind: "transient", message: "The language model did not answer in time." };
  }
  if (isNetworkFailure(error)) {
    return { kind: "transient", message: "Could not reach the language model." };
  }
  return { kind: "transient", message: "The language model call failed unexpectedly." };
}

/** The error a durable step should throw for this LLM failure. */
/**
 * What a step error may carry of the provider's error: its type and HTTP status, never its
 * message or body, which may echo the API key. Step errors travel further than our logs:
 * Inngest serializes them, causes included, into its run history.
 */
function redactedCause(error: unknown): Error {
  const cause = new Error("The provider's error (its message is not kept).");
  cause.name = error instanceof Error ? error.name : "Error";
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === "number") Object.assign(cause, { statusCode });
  return cause;
}

export function toStepError(error: unknown): Error {
  const classified = classifyLlmError(error);
  const cause = redactedCause(error);
  switch (classified.kind) {
    case "fatal":
      return new NonRetriableError(classified.message, { cause });
    case "rate_limited":
      return new RetryAfterError(classified.message, classified.retryAfterMs ?? 10_000, { cause });
    case "transient":
      return new LlmCallError(classified.message, { cause });
  }
}
