import { createHash } from "node:crypto";
import http from "node:http";
import { createFakeRealtime } from "./fake-realtime";
import { canonicalJson, hashedSigningKey, signInngestRequest, verifyInngestSignature } from "./inngest-signature";

// A fake Inngest executor: it calls the app's serve route (/api/inngest) the way an Inngest
// server calls an SDK, following the SDK spec (docs/SDK_SPEC.md of inngest/inngest, "§"
// below). It reaches the route in-process (the route module's handlers) or over HTTP (a
// running server's base URL), in one of two modes:
//
// - dev: the app runs with INNGEST_DEV set to startFakeDevServer()'s url; the SDK skips
//   signature checks (§4.2.2) and sends what it sends to Inngest to that server.
// - cloud: the app runs with INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY, and INNGEST_BASE_URL
//   pointing at startFakeDevServer({ signingKey, eventKey }), which then plays Inngest
//   Cloud's API: it accepts only the hashed signing key as bearer token (§4.1.4) and only
//   the event key in /e/:key. The executor signs each request as Inngest does (§4.1.3) and
//   refuses any answer the SDK did not sign with the same key.

export type InngestEvent = { name: string; data: Record<string, unknown>; id?: string; ts?: number };
export type SerializedError = { name: string; message: string; stack?: string };
/** §4.4.1: memoized step results, keyed by hashed step id. */
export type Memo = Record<string, { data: unknown } | { error: SerializedError }>;
/** §5.1.1, §5.3.1: one reported step: StepRun, StepPlanned, StepError, StepFailed, RunComplete, … */
export type Op = { id: string; op: string; displayName?: string; data?: unknown; error?: SerializedError };
/** §4.3.2: a function as the SDK registers it when the app syncs. */
export interface RegisteredFunction {
  id: string;
  triggers: Array<{ event?: string; expression?: string; cron?: string }>;
  /** `retries.attempts` holds the retries after the first attempt (Inngest reads it so). */
  steps: { step: { retries?: { attempts?: number } } };
  idempotency?: string;
  concurrency?: unknown;
  cancel?: Array<{ event: string; if?: string }>;
}

/** §5.1.2: a step's id on the wire is the hex SHA-1 of the id the code gives it. */
export const stepId = (name: string) => createHash("sha1").update(name).digest("hex");

export interface FakeDevServerOptions {
  /** Play Inngest Cloud: /fn/register and /v1/* answer 401 unless the bearer token is this key, hashed. */
  signingKey?: string;
  /** Play Inngest Cloud: /e/:key answers 401 for any other key. */
  eventKey?: string;
}

/**
 * The Inngest server's side of the SDK's own requests: `POST /fn/register` (a sync, §4.3.2),
 * `POST /e/:key` (events), and `POST /v1/checkpoint/:runId/async`, where the SDK reports the
 * steps it ran in a request whose ctx carried fn_id and qi_id (checkpointing; not in the spec).
 * What it refused (a wrong key or token) is listed in `rejected`. `realtime` plays Inngest
 * Realtime (tests/helpers/fake-realtime.ts): publishes, tokens and subscriptions.
 */
export async function startFakeDevServer(options: FakeDevServerOptions = {}) {
  const registrations: Array<{ url: string; functions: RegisteredFunction[] }> = [];
  const events: InngestEvent[] = [];
  const checkpoints: Array<{ runId: string; steps: Op[] }> = [];
  const rejected: Array<{ path: string; reason: string }> = [];
  const token = options.signingKey ? `Bearer ${hashedSigningKey(options.signingKey)}` : undefined;
  const realtime = createFakeRealtime({ token });
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const path = request.url ?? "";
      if (realtime.handle(request, body, response)) return;
      let answer: unknown = {};
      const refuse = (reason: string) => {
        rejected.push({ path, reason });
        response.statusCode = 401;
        answer = { error: reason };
      };
      const authorized = () => token === undefined || request.headers.authorization === token;
      if (path.startsWith("/fn/register")) {
        if (!authorized()) refuse("the bearer token is not the hashed signing key");
        else {
          registrations.push(JSON.parse(body));
          answer = { ok: true, modified: false }; // §4.3.4
        }
      } else if (path.startsWith("/e/")) {
        const key = decodeURIComponent(path.slice("/e/".length).split("?")[0] ?? "");
        if (options.eventKey !== undefined && key !== options.eventKey) refuse("unknown event key");
        else {
          const batch = [JSON.parse(body) as InngestEvent | InngestEvent[]].flat();
          events.push(...batch);
          answer = { ids: batch.map((event) => event.id ?? "generated"), status: 200 };
        }
      } else if (path.startsWith("/v1/checkpoint/")) {
        if (!authorized()) refuse("the bearer token is not the hashed signing key");
        else checkpoints.push({ runId: decodeURIComponent(path.split("/")[3] ?? ""), steps: JSON.parse(body).steps });
      } else response.statusCode = 404;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(answer));
    });
  });
  server.on("upgrade", (request, socket, head) => realtime.upgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const close = () =>
    new Promise<void>((resolve) => {
      realtime.close();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${port}`, registrations, events, checkpoints, rejected, realtime, close };
}
export type FakeDevServer = Awaited<ReturnType<typeof startFakeDevServer>>;

type Handler = (...args: never[]) => Promise<Response>;
/** The serve route's module (its handlers are called in-process). */
export type InngestRoute = { POST: Handler; PUT: Handler; GET?: Handler };
/** Where the route is: in this process, or behind a server's base URL (its /api/inngest). */
export type ExecutorTarget = InngestRoute | { baseUrl: string };

export interface ExecutorOptions {
  /** The URL Inngest is told to call (default: http://localhost/api/inngest in-process, the base URL's /api/inngest over HTTP). */
  appUrl?: string;
  /** Cloud mode: sign every request with this key, and verify the signature of every answer. */
  signingKey?: string;
}

export interface CallOptions {
  /** Composite id: app id + "-" + function id (§1.3.3). */
  fnId: string;
  event: InngestEvent;
  /** "step" lets the SDK find (and maybe run) the next step; a hashed id runs that step (§5.3.1). */
  stepId?: string;
  steps?: Memo;
  /** Hashed ids in the order their results arrived (§5.4); defaults to the memo's order. */
  stack?: string[];
  attempt?: number;
  maxAttempts?: number;
  disableImmediateExecution?: boolean;
  runId?: string;
  /** Sets ctx.fn_id and ctx.qi_id, which turns checkpointing on in the SDK. */
  checkpointing?: { fnId: string; queueItemId: string };
}
/** `ops`: on a 206, the reported steps (§5.1.1). `body`: on a 200, the function's return value;
 * on a 4xx/5xx, its error (§4.4.3). `noRetry`: X-Inngest-No-Retry, "true" if Inngest must not retry.
 * `headers`: the answer's headers (X-Inngest-Req-Version, X-Inngest-Signature, …). */
export type CallResult = { status: number; noRetry: string | null; ops: Op[]; body: unknown; headers: Headers };
export interface RunOutcome {
  status: "completed" | "failed" | "cancelled";
  output?: unknown;
  error?: SerializedError;
  /** Each request: its target step (or "step"), attempt, the steps in its memo, the answer;
   * `checkpointed`: the steps the SDK reported to the checkpoint API during that request. */
  requests: Array<{
    step: string;
    attempt: number;
    memo: string[];
    status: number;
    ops: Op[];
    checkpointed: Op[];
    noRetry: string | null;
    reqVersion: string | null;
  }>;
  /** The run of `<fnId>-failure` that Inngest starts when a run fails, if registered. */
  failure?: RunOutcome;
  /** The event that cancelled the run (a `cancel` of the function matched it). */
  cancelledBy?: InngestEvent;
  /** The run's state at its end: its id, trigger, memo and stack, to call it again with. */
  runId: string;
  event: InngestEvent;
  memo: Memo;
  stack: string[];
}
export interface RunOptions {
  beforeRequest?: (request: { step: string; attempt: number }) => unknown;
  /** Run the planned steps of a round at the same time, as Inngest does (default: one after another). */
  parallel?: boolean;
  /** Send ctx.fn_id and ctx.qi_id as Inngest does, so the SDK checkpoints the steps it runs. */
  checkpointing?: boolean;
}

/**
 * Evaluates the expressions functions register for cancellation (§5.3.3 `if`): clauses
 * `a == b` joined by `&&`, where each side is a path into the scope (event.data.id,
 * async.data.id) or a literal. Anything else is refused rather than guessed at.
 */
export function evaluateExpression(expression: string, scope: Record<string, unknown>): boolean {
  const operand = (text: string): unknown => {
    if (/^(["']).*\1$/.test(text)) return text.slice(1, -1);
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    if (!/^[A-Za-z_]\w*(\.\w+)+$/.test(text)) throw new Error(`unsupported operand "${text}" in ${expression}`);
    return text.split(".").reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], scope);
  };
  return expression.split("&&").every((clause) => {
    const match = /^\s*(.+?)\s*==\s*(.+?)\s*$/.exec(clause);
    if (!match) throw new Error(`unsupported expression: ${expression}`);
    return operand(match[1]!) === operand(match[2]!);
  });
}

export function createInngestExecutor(target: ExecutorTarget, devServer: FakeDevServer, options: string | ExecutorOptions = {}) {
  const { appUrl: givenUrl, signingKey } = typeof options === "string" ? { appUrl: options } : options;
  const overHttp = "baseUrl" in target;
  const appUrl = givenUrl ?? (overHttp ? `${target.baseUrl.replace(/\/+$/, "")}/api/inngest` : "http://localhost/api/inngest");
  const serverKind = signingKey ? "cloud" : "dev";

  /** Sends a request to the route, signed (cloud) and with the body as Inngest writes it: canonical JSON. */
  async function send(method: "GET" | "POST" | "PUT", url: string, payload?: unknown, extra: Record<string, string> = {}) {
    const body = payload === undefined ? undefined : canonicalJson(payload);
    const headers: Record<string, string> = { "x-inngest-server-kind": serverKind, ...extra };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (signingKey) headers["x-inngest-signature"] = signInngestRequest(body ?? "", signingKey);
    const request = new Request(url, { method, headers, body });
    let response: Response;
    if (overHttp) response = await fetch(request, { signal: AbortSignal.timeout(120_000) });
    else {
      const handler = (target as Partial<Record<typeof method, Handler>>)[method];
      if (!handler) throw new Error(`the route has no ${method} handler`);
      response = await handler(request as never, undefined as never);
    }
    const text = await response.text();
    // §4.1.2: the SDK signs its answers with the key it verified the request with.
    if (signingKey && !verifyInngestSignature(response.headers.get("x-inngest-signature"), text, signingKey)) {
      throw new Error(`the answer (${response.status}) to ${method} ${url} is not signed with the signing key: ${text.slice(0, 300)}`);
    }
    return { response, text };
  }

  /**
   * §4.3: a PUT starts a sync. Out of band (the default in dev mode), the SDK POSTs its
   * functions to the server's /fn/register, then answers. In band (the default in cloud
   * mode, as Inngest Cloud syncs), the PUT is signed and the SDK answers with its functions.
   */
  async function sync({ inBand = serverKind === "cloud" }: { inBand?: boolean } = {}): Promise<RegisteredFunction[]> {
    const registered = devServer.registrations.length;
    const { response, text } = await send("PUT", appUrl, { url: appUrl }, inBand ? { "x-inngest-sync-kind": "in_band" } : {});
    if (response.status !== 200) throw new Error(`sync failed: ${response.status} ${text}`);
    if (inBand) {
      if (response.headers.get("x-inngest-sync-kind") !== "in_band") throw new Error(`not an in-band sync answer: ${text}`);
      return (JSON.parse(text) as { functions: RegisteredFunction[] }).functions;
    }
    if (devServer.registrations.length === registered) throw new Error(`the sync registered nothing: ${text}`);
    return devServer.registrations.at(-1)!.functions;
  }

  /** §4.5: an introspection request (a GET; signed in cloud mode, where the SDK answers it only so). */
  async function introspect(): Promise<Record<string, unknown>> {
    const { response, text } = await send("GET", appUrl);
    if (response.status !== 200) throw new Error(`introspection failed: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  /** One call request (§4.4.1): a POST to `?fnId=…&stepId=…`. */
  async function call(options: CallOptions): Promise<CallResult> {
    const { fnId, stepId = "step", steps = {}, attempt = 0, runId = "01FAKERUN", checkpointing } = options;
    const event = { id: `evt-${runId}`, ts: Date.now(), ...options.event };
    const stack = options.stack ?? Object.keys(steps);
    const ctx = {
      run_id: runId,
      attempt,
      max_attempts: options.maxAttempts,
      disable_immediate_execution: options.disableImmediateExecution ?? false,
      use_api: false,
      stack: { stack, current: stack.length },
      ...(checkpointing && { fn_id: checkpointing.fnId, qi_id: checkpointing.queueItemId }),
    };
    const url = `${appUrl}?fnId=${encodeURIComponent(fnId)}&stepId=${encodeURIComponent(stepId)}`;
    const { response, text } = await send("POST", url, { event, events: [event], steps, ctx });
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    const ops = response.status === 206 ? (parsed as Op[]) : [];
    return { status: response.status, noRetry: response.headers.get("x-inngest-no-retry"), ops, body: parsed, headers: response.headers };
  }

  /**
   * A whole run, as Inngest drives it: call with stepId "step"; memoize each StepRun's data;
   * run each StepPlanned step in a request of its own, and once more than one was planned,
   * set disable_immediate_execution from then on (§5.5); retry a StepError, or a 5xx without
   * X-Inngest-No-Retry: true, with attempt + 1 up to the function's registered retries
   * (max_attempts tells the SDK which attempt is the last: it reports that one as StepFailed);
   * memoize a StepFailed as the step's error (§5.2). A 200 (or a RunComplete op, when the
   * SDK checkpoints) completes the run; any other final answer fails it, and Inngest then
   * runs `<fnId>-failure` with `inngest/function.failed`. An event sent after the run
   * started that matches one of the function's `cancel` entries cancels it: no request
   * starts after that (those in flight end as they will).
   */
  async function run(fnId: string, trigger: InngestEvent, runOptions: RunOptions = {}): Promise<RunOutcome> {
    const cancelEventsFrom = devServer.events.length;
    const functions = await sync();
    const registered = functions.find((fn) => fn.id === fnId);
    if (!registered) throw new Error(`${fnId} is not registered`);
    const retries = registered.steps.step.retries?.attempts ?? 4; // Inngest's default: 4 retries
    const runId = `01FAKE${Date.now()}${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
    const event = { id: `evt-${runId}`, ts: Date.now(), ...trigger };
    const memo: Memo = {};
    const stack: string[] = [];
    const names = new Map([["step", "step"]]);
    const requests: RunOutcome["requests"] = [];
    let parallel = false;
    let queueItems = 0;
    let checkpointsSeen = devServer.checkpoints.length;
    const state = () => ({ runId, event, memo, stack, requests });

    const remember = (ops: Op[]) => {
      for (const op of ops) {
        names.set(op.id, op.displayName ?? op.id);
        if (op.id in memo) continue; // a step's result is final once memoized
        if (op.op === "StepRun") memo[op.id] = { data: op.data };
        else if (op.op === "StepError" || op.op === "StepFailed") memo[op.id] = { error: op.error! };
        else continue;
        stack.push(op.id);
      }
    };
    /** The steps the SDK checkpointed for this run since the last look. */
    const newCheckpoints = () => {
      const found = devServer.checkpoints.slice(checkpointsSeen).filter((checkpoint) => checkpoint.runId === runId);
      checkpointsSeen = devServer.checkpoints.length;
      return found.flatMap((checkpoint) => checkpoint.steps);
    };
    const cancelledBy = () =>
      devServer.events
        .slice(cancelEventsFrom)
        .find((sent) =>
          (registered.cancel ?? []).some(
            (cancel) => cancel.event === sent.name && (!cancel.if || evaluateExpression(cancel.if, { event, async: sent })),
          ),
        );
    const retriable = ({ ops, status, noRetry }: CallResult) =>
      ops.some((op) => op.op === "StepError") || (status >= 500 && noRetry !== "true");

    /** One queue item's attempt: its answer, or undefined when the run was cancelled first. */
    const attemptItem = async (target: string, attempt: number) => {
      if (cancelledBy()) return undefined;
      const step = names.get(target) ?? target;
      await runOptions.beforeRequest?.({ step, attempt });
      queueItems += 1;
      const memoNames = stack.map((id) => names.get(id)!);
      const result = await call({
        ...{ fnId, event, stepId: target, steps: { ...memo }, stack: [...stack], runId, attempt },
        ...{ maxAttempts: retries + 1, disableImmediateExecution: parallel },
        ...(runOptions.checkpointing && { checkpointing: { fnId: `fn-${fnId}`, queueItemId: `qi-${runId}-${queueItems}` } }),
      });
      const checkpointed = newCheckpoints();
      remember(checkpointed);
      requests.push({
        ...{ step, attempt, memo: memoNames, status: result.status, ops: result.ops, checkpointed },
        ...{ noRetry: result.noRetry, reqVersion: result.headers.get("x-inngest-req-version") },
      });
      return result;
    };
    // Queue items (the function, or planned steps) run in rounds: all first attempts, then
    // the retries, as Inngest backs off before a retry. Returns each item's final answer.
    const runItems = async (targets: string[]) => {
      const answers: CallResult[] = [];
      for (let attempt = 0, pending = targets; pending.length; attempt += 1) {
        const again: string[] = [];
        const settle = (target: string, result: CallResult | undefined) => {
          if (!result) return;
          if (retriable(result) && attempt < retries) return void again.push(target);
          answers.push(result);
          remember(result.ops);
        };
        if (runOptions.parallel) {
          const results = await Promise.all(pending.map((target) => attemptItem(target, attempt)));
          pending.forEach((target, index) => settle(target, results[index]));
        } else {
          for (const target of pending) settle(target, await attemptItem(target, attempt));
        }
        pending = again;
      }
      return answers;
    };
    const failed = async (error: SerializedError): Promise<RunOutcome> => {
      const failureId = `${fnId}-failure`;
      const failedEvent = { name: "inngest/function.failed", data: { function_id: fnId, run_id: runId, error, event } };
      const failure = functions.some((fn) => fn.id === failureId) ? await run(failureId, failedEvent, { parallel: runOptions.parallel, checkpointing: runOptions.checkpointing }) : undefined;
      return { status: "failed", error, failure, ...state() };
    };
    const cancelled = (): RunOutcome | undefined => {
      const by = cancelledBy();
      return by && { status: "cancelled", cancelledBy: by, ...state() };
    };

    while (requests.length < 200) {
      const [found] = await runItems(["step"]);
      if (!found) return cancelled()!;
      if (found.status === 200) return { status: "completed", output: found.body, ...state() };
      if (found.status !== 206) return cancelled() ?? failed(found.body as SerializedError);
      const complete = found.ops.find((op) => op.op === "RunComplete");
      if (complete) return { status: "completed", output: complete.data, ...state() };
      const planned = found.ops.filter((op) => op.op === "StepPlanned");
      if (!planned.length && !found.ops.some((op) => op.id in memo)) throw new Error(`unsupported: ${JSON.stringify(found.ops)}`);
      if (planned.length > 1) parallel = true;
      // The next call with stepId "step" waits until every planned step has finished.
      const error = (await runItems(planned.map((op) => op.id))).find((result) => result.status !== 206);
      const stopped = cancelled();
      if (stopped) return stopped;
      if (error) return failed(error.body as SerializedError);
    }
    throw new Error(`${fnId}: no end after ${requests.length} requests`);
  }

  return { appUrl, sync, introspect, call, run };
}
