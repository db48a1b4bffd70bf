import { APICallError, NoObjectGeneratedError, RetryError } from "ai";
import { NonRetriableError, RetryAfterError } from "inngest";
import { describe, expect, it } from "vitest";
import { classifyLlmError, LlmCallError, retryAfterFromHeaders, toStepError } from "@/lib/llm/errors";
import { failureMessage } from "@/lib/workflow/generate-steps";

// Provider bodies and messages can carry keys, prompts or account details: none may reach people.
const SECRET = "sk-proj-SECRET-7f3a9c-do-not-show";

function apiError(statusCode: number | undefined, responseHeaders: Record<string, string> = {}, cause?: unknown) {
  return new APICallError({
    message: `Provider says: invalid key ${SECRET}`,
    url: "https://api.openai.com/v1/responses",
    requestBodyValues: {},
    statusCode,
    responseHeaders,
    responseBody: JSON.stringify({ error: { message: `Incorrect API key provided: ${SECRET}` } }),
    isRetryable: statusCode === undefined || statusCode === 429 || statusCode >= 500,
    cause,
  });
}

function noObjectError() {
  return new NoObjectGeneratedError({
    message: `No object generated: ${SECRET}`,
    text: `{"title": "${SECRET}"`,
    response: { id: "r1", timestamp: new Date(), modelId: "gpt-5-mini" },
    usage: {
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
      inputTokenDetails: { noCacheTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 },
      outputTokenDetails: { textTokens: 5, reasoningTokens: 0 },
    },
    finishReason: "stop",
  });
}

const retryError = (...errors: unknown[]) =>
  new RetryError({ message: `Failed after ${errors.length} attempts: ${SECRET}`, reason: "maxRetriesExceeded", errors });

describe("classifyLlmError / toStepError", () => {
  it.each([401, 403])("HTTP %i fails at once and tells the operator to check OPENAI_API_KEY", (status) => {
    const error = apiError(status);
    expect(classifyLlmError(error).kind).toBe("fatal");
    const stepError = toStepError(error);
    expect(stepError).toBeInstanceOf(NonRetriableError);
    expect(stepError.message).toContain("OPENAI_API_KEY");
    expect(stepError.message).toContain(String(status));
  });

  it("a 400 (bad request) is not worth retrying", () => {
    expect(classifyLlmError(apiError(400)).kind).toBe("fatal");
    expect(toStepError(apiError(400))).toBeInstanceOf(NonRetriableError);
    expect(toStepError(apiError(422))).toBeInstanceOf(NonRetriableError);
  });

  it("a 404 points at the model name and base URL", () => {
    const stepError = toStepError(apiError(404));
    expect(stepError).toBeInstanceOf(NonRetriableError);
    expect(stepError.message).toContain("LLM_MODEL");
  });

  it("a 429 with retry-after-ms waits at least that long", () => {
    const error = apiError(429, { "retry-after-ms": "1500" });
    expect(classifyLlmError(error)).toMatchObject({ kind: "rate_limited", retryAfterMs: 1500 });
    const stepError = toStepError(error);
    expect(stepError).toBeInstanceOf(RetryAfterError);
    // Inngest's RetryAfterError keeps whole seconds (rounded up): never sooner than asked.
    const seconds = Number((stepError as RetryAfterError).retryAfter);
    expect(seconds * 1000).toBeGreaterThanOrEqual(1500);
    expect(seconds * 1000).toBeLessThan(2500);
  });

  it("a 429 with retry-after in seconds becomes milliseconds", () => {
    const error = apiError(429, { "Retry-After": "2" });
    expect(classifyLlmError(error).retryAfterMs).toBe(2000);
    expect(Number((toStepError(error) as RetryAfterError).retryAfter)).toBe(2);
  });

  it("a 429 with no hint still backs off (10 s), rather than hammering the provider", () => {
    expect(classifyLlmError(apiError(429)).retryAfterMs).toBeUndefined();
    const stepError = toStepError(apiError(429)) as RetryAfterError;
    expect(stepError).toBeInstanceOf(RetryAfterError);
    expect(Number(stepError.retryAfter)).toBe(10);
  });

  it.each([500, 502, 503, 408])("HTTP %i is transient and retried with backoff", (status) => {
    const error = apiError(status);
    expect(classifyLlmError(error).kind).toBe("transient");
    const stepError = toStepError(error);
    expect(stepError).toBeInstanceOf(LlmCallError);
    expect(stepError).not.toBeInstanceOf(NonRetriableError);
    expect(stepError.message).toContain(String(status));
  });

  it("an answer that does not match the schema is transient (the next attempt may match)", () => {
    const classified = classifyLlmError(noObjectError());
    expect(classified.kind).toBe("transient");
    expect(classified.message).toMatch(/format/);
    expect(toStepError(noObjectError())).toBeInstanceOf(LlmCallError);
  });

  it.each([
    ["a TimeoutError from AbortSignal.timeout", new DOMException("The operation was aborted due to timeout", "TimeoutError")],
    ["an AbortError", new DOMException("This operation was aborted", "AbortError")],
    ["an APICallError caused by a timeout", apiError(undefined, {}, new DOMException("timed out", "TimeoutError"))],
  ])("%s is transient: the model did not answer in time", (_label, error) => {
    const classified = classifyLlmError(error);
    expect(classified).toMatchObject({ kind: "transient" });
    expect(classified.message).toContain("did not answer in time");
    expect(toStepError(error)).toBeInstanceOf(LlmCallError);
  });

  it("a network failure is transient: the model could not be reached", () => {
    const error = new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    expect(classifyLlmError(error)).toEqual({ kind: "transient", message: "Could not reach the language model." });
  });

  it("a RetryError is classified by its last error", () => {
    expect(classifyLlmError(retryError(apiError(503), apiError(401))).kind).toBe("fatal");
    expect(toStepError(retryError(apiError(503), apiError(401)))).toBeInstanceOf(NonRetriableError);
    expect(classifyLlmError(retryError(apiError(401), apiError(503))).kind).toBe("transient");
    expect(classifyLlmError(retryError(apiError(429, { "retry-after-ms": "300" }))).retryAfterMs).toBe(300);
  });

  it("names the provider's error as the cause, without its message (it may echo the key)", () => {
    const original = apiError(503);
    const cause = toStepError(original).cause as Error & { statusCode?: number };
    expect(cause.name).toBe(original.name);
    expect(cause.statusCode).toBe(503);
    expect(cause.message).not.toContain(original.message);
  });

  it("never puts the provider's body or message in what people see", () => {
    const errors: unknown[] = [
      ...[400, 401, 403, 404, 408, 409, 429, 500, 503, undefined].map((status) => apiError(status)),
      apiError(429, { "retry-after-ms": "10" }),
      noObjectError(),
      retryError(apiError(500)),
      new Error(`Something odd: ${SECRET}`),
      new DOMException(`aborted ${SECRET}`, "AbortError"),
      SECRET,
    ];
    for (const error of errors) {
      const stepError = toStepError(error);
      expect(classifyLlmError(error).message).not.toContain(SECRET);
      expect(stepError.message).not.toContain(SECRET);
      expect(stepError.message.length).toBeGreaterThan(10);
      expect(failureMessage(stepError)).not.toContain(SECRET);
    }
  });
});

describe("retryAfterFromHeaders", () => {
  const now = Date.parse("2027-03-14T12:00:00Z");

  it("reads an HTTP date relative to now", () => {
    const in30s = new Date(now + 30_000).toUTCString();
    expect(retryAfterFromHeaders({ "retry-after": in30s }, now)).toBe(30_000);
    expect(retryAfterFromHeaders({ "retry-after": new Date(now - 5000).toUTCString() }, now)).toBe(0);
  });

  it("prefers retry-after-ms, matches header names case-insensitively, ignores garbage", () => {
    expect(retryAfterFromHeaders({ "retry-after-ms": "250", "retry-after": "9" }, now)).toBe(250);
    expect(retryAfterFromHeaders({ "Retry-After-Ms": "250" }, now)).toBe(250);
    expect(retryAfterFromHeaders({ "retry-after": "0.5" }, now)).toBe(500);
    expect(retryAfterFromHeaders({ "retry-after": "soon" }, now)).toBeUndefined();
    expect(retryAfterFromHeaders({ "retry-after-ms": "soon", "retry-after": "3" }, now)).toBe(3000);
    expect(retryAfterFromHeaders({}, now)).toBeUndefined();
    expect(retryAfterFromHeaders(undefined, now)).toBeUndefined();
  });
});
