import autocannon from "autocannon";

// One HTTP load run with autocannon: a fixed number of connections for a fixed time, each
// sending its next request as soon as the previous answer is in (no pipelining).

export interface LoadSpec {
  name: string;
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Varies each request (e.g. a different client address). */
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
  /** The status class every answer should have: 2 for 2xx, 3 for 3xx. */
  expectClass: 2 | 3;
}

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  total: number;
  /** Answers outside the expected status class, and connection errors or timeouts. */
  unexpected: number;
  byClass: Record<"2xx" | "3xx" | "4xx" | "5xx", number>;
  errors: number;
  timeouts: number;
}

export async function runLoad(spec: LoadSpec, { connections, durationS }: { connections: number; durationS: number }): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    method: spec.method ?? "GET",
    headers: spec.headers,
    body: spec.body,
    connections,
    duration: durationS,
    requests: spec.setupRequest ? [{ setupRequest: spec.setupRequest }] : undefined,
  });
  const byClass = { "2xx": result["2xx"], "3xx": result["3xx"], "4xx": result["4xx"], "5xx": result["5xx"] };
  const expected = spec.expectClass === 2 ? byClass["2xx"] : byClass["3xx"];
  const answered = byClass["2xx"] + byClass["3xx"] + byClass["4xx"] + byClass["5xx"];
  return {
    name: spec.name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.mean,
    total: answered,
    unexpected: answered - expected + result.errors,
    byClass,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
