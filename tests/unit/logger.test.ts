import { describe, expect, it } from "vitest";
import { prettyLogLine } from "@/lib/log-format";
import { errorFields, stackFrames } from "@/lib/logger";

// What a log line keeps of an error, and the readable format used in development.

describe("errorFields", () => {
  it("keeps the name, the first line of the message and the code, not the query parameters after it", () => {
    const error = Object.assign(new Error('Failed query: insert into "itineraries" ...\nparams: Kyoto,["tea with grandma"]'), {
      code: "23505",
    });
    expect(errorFields(error)).toEqual({ type: "Error", message: 'Failed query: insert into "itineraries" ...', code: "23505" });
  });

  it("names a cause without quoting it (a provider's message may echo the API key)", () => {
    const cause = Object.assign(new Error("Incorrect API key provided: sk-live-123"), { name: "AI_APICallError", statusCode: 401 });
    const error = new Error("The language model refused our credentials (HTTP 401).", { cause });
    const fields = errorFields(error);
    expect(fields).toEqual({
      type: "Error",
      message: "The language model refused our credentials (HTTP 401).",
      cause: { type: "AI_APICallError", statusCode: 401 },
    });
    expect(JSON.stringify(fields)).not.toContain("sk-live");
  });

  it("turns anything else into a one-line message", () => {
    expect(errorFields("plain\nsecond")).toEqual({ message: "plain" });
  });

  it("gives the stack's frames without the message", () => {
    const frames = stackFrames(new Error("secret-in-message\nmore"));
    expect(frames).toMatch(/^\s*at /);
    expect(frames).not.toContain("secret-in-message");
  });
});

describe("prettyLogLine", () => {
  it("writes time, level, component, message and the other fields", () => {
    const line = JSON.stringify({
      level: "warn",
      time: "2030-01-02T03:04:05.678Z",
      pid: 1,
      component: "llm",
      msg: "llm call failed",
      step: "day-2",
      reason: "The language model is unavailable (HTTP 500).",
    });
    expect(prettyLogLine(`${line}\n`)).toBe(
      '03:04:05.678 WARN  [llm] llm call failed step=day-2 reason="The language model is unavailable (HTTP 500)."\n',
    );
  });

  it("passes a line that is not JSON through", () => {
    expect(prettyLogLine("not json\n")).toBe("not json\n");
  });
});
