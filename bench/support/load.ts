import autocannon from "autocannon";
import { percentile } from "./stats";

// HTTP load with autocannon: a fixed number of connections, each sending its next request
// as soon as the previous answer is in (no pipelining). Every answer's status and time are
// recorded here, so several short runs of one route can be pooled into one set of figures
// (the API bench interleaves routes so that a busy moment of the machine hits them all).

export interface LoadSpec {
  name: string;
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Varies each request (e.g. a different client address). */
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
  /** The status every answer should have. */
  expectStatus: number;
}

export interface LoadSample {
  durationS: number;
  latenciesMs: number[];
  statuses: Map<number, number>;
  /** Connection errors and timeouts (no answer). */
  errors: number;
}

export function runSlice(spec: LoadSpec, { connections, durationS }: { connections: number; durationS: number }): Promise<LoadSample> {
  const sample: LoadSample = { durationS: 0, latenciesMs: [], statuses: new Map(), errors: 0 };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: spec.method ?? "GET",
        headers: spec.headers,
        body: spec.body,
        connections,
        duration: durationS,
        requests: spec.setupRequest ? [{ setupRequest: spec.setupRequest }] : undefined,
      },
      (error: unknown, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        sample.durationS = (performance.now() - started) / 1000;
        sample.errors = result.errors;
        resolve(sample);
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      sample.latenciesMs.push(responseTime);
      sample.statuses.set(statusCode, (sample.statuses.get(statusCode) ?? 0) + 1);
    });
  });
}

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  answers: number;
  /** Answers with another status than expected, plus requests that got no answer. */
  unexpected: number;
  statuses: Record<string, number>;
  errors: number;
}

/** Pools the samples of one route into its figures. */
export function summarize(spec: LoadSpec, samples: LoadSample[]): LoadResult {
  const latencies = samples.flatMap((sample) => sample.latenciesMs);
  const statuses: Record<string, number> = {};
  for (const sample of samples) {
    for (const [status, count] of sample.statuses) statuses[status] = (statuses[status] ?? 0) + count;
  }
  const errors = samples.reduce((sum, sample) => sum + sample.errors, 0);
  const durationS = samples.reduce((sum, sample) => sum + sample.durationS, 0);
  return {
    name: spec.name,
    requestsPerSecond: latencies.length / durationS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    answers: latencies.length,
    unexpected: latencies.length - (statuses[spec.expectStatus] ?? 0) + errors,
    statuses,
    errors,
  };
}
