import { createHash } from "node:crypto";
import http from "node:http";

// A fake Inngest executor: it calls the app's serve route (/api/inngest) in-process the way
// an Inngest server calls an SDK, following the SDK spec (docs/SDK_SPEC.md of inngest/inngest,
// "§" below). Run the app in dev mode with INNGEST_DEV set to startFakeDevServer()'s url: the
// SDK then skips signature checks (§4.2.2) and sends what it sends to Inngest to that server.

export type InngestEvent = { name: string; data: Record<string, unknown>; id?: string; ts?: number };
export type SerializedError = { name: string; message: string; stack?: string };
/** §4.4.1: memoized step results, keyed by hashed step id. */
export type Memo = Record<string, { data: unknown } | { error: SerializedError }>;
/** §5.1.1, §5.3.1: one reported step: StepRun, StepPlanned, StepError, StepFailed, … */
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

/**
 * The Inngest server's side of the SDK's own requests: `POST /fn/register` (a sync, §4.3.2),
 * `POST /e/:key` (events), and `POST /v1/checkpoint/:runId/async`, where the SDK reports the
 * steps it ran in a request whose ctx carried fn_id and qi_id (checkpointing; not in the spec).
 */
export async function startFakeDevServer() {
  const registrations: Array<{ url: string; functions: RegisteredFunction[] }> = [];
  const events: InngestEvent[] = [];
  const checkpoints: Array<{ runId: string; steps: Op[] }> = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const path = request.url ?? "";
      let answer: unknown = {};
      if (path.startsWith("/fn/register")) {
        registrations.push(JSON.parse(body));
        answer = { ok: true, modified: false }; // §4.3.4
      } else if (path.startsWith("/e/")) {
        const batch = [JSON.parse(body) as InngestEvent | InngestEvent[]].flat();
        events.push(...batch);
        answer = { ids: batch.map((event) => event.id ?? "generated"), status: 200 };
      } else if (path.startsWith("/v1/checkpoint/")) {
        checkpoints.push({ runId: decodeURIComponent(path.split("/")[3] ?? ""), steps: JSON.parse(body).steps });
      } else response.statusCode = 404;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { url: `http://127.0.0.1:${port}`, registrations, events, checkpoints, close };
}
export type FakeDevServer = Awaited<ReturnType<typeof startFakeDevServer>>;

type Handler = (...args: never[]) => Promise<Response>;

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
 * on a 4xx/5xx, its error (§4.4.3). `noRetry`: X-Inngest-No-Retry, "true" if Inngest must not retry. */
export type CallResult = { status: number; noRetry: string | null; ops: Op[]; body: unknown };
export interface RunOutcome {
  status: "completed" | "failed";
  output?: unknown;
  error?: SerializedError;
  /** Each request: its target step (or "step"), attempt, the steps in its memo, the answer. */
  requests: Array<{ step: string; attempt: number; memo: string[]; status: number; ops: Op[] }>;
  /** The run of `<fnId>-failure` that Inngest starts when a run fails, if registered. */
  failure?: RunOutcome;
}
type Hooks = { beforeRequest?: (request: { step: string; attempt: number }) => unknown };

export function createInngestExecutor(route: { POST: Handler; PUT: Handler }, devServer: FakeDevServer, appUrl = "http://localhost/api/inngest") {
  const headers = { "content-type": "application/json", "x-inngest-server-kind": "dev" };

  /** §4.3: a PUT starts a sync; the SDK POSTs its functions to the dev server, then answers. */
  async function sync(): Promise<RegisteredFunction[]> {
    const request = new Request(appUrl, { method: "PUT", headers, body: JSON.stringify({ url: appUrl }) });
    const response = await route.PUT(request as never, undefined as never);
    if (response.status !== 200) throw new Error(`sync failed: ${response.status} ${await response.text()}`);
    return devServer.registrations.at(-1)!.functions;
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
    const body = JSON.stringify({ event, events: [event], steps, ctx });
    const response = await route.POST(new Request(url, { method: "POST", headers, body }) as never, undefined as never);
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    const ops = response.status === 206 ? (parsed as Op[]) : [];
    return { status: response.status, noRetry: response.headers.get("x-inngest-no-retry"), ops, body: parsed };
  }

  /**
   * A whole run, as Inngest drives it: call with stepId "step"; memoize each StepRun's data;
   * run each StepPlanned step in a request of its own, and once more than one was planned,
   * set disable_immediate_execution from then on (§5.5); retry a StepError, or a 5xx without
   * X-Inngest-No-Retry: true, with attempt + 1 up to the function's registered retries
   * (max_attempts tells the SDK which attempt is the last: it reports that one as StepFailed);
   * memoize a StepFailed as the step's error (§5.2). A 200 completes the run; any other final
   * answer fails it, and Inngest then runs `<fnId>-failure` with `inngest/function.failed`.
   */
  async function run(fnId: string, trigger: InngestEvent, hooks: Hooks = {}): Promise<RunOutcome> {
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

    const remember = (ops: Op[]) => {
      for (const op of ops) {
        names.set(op.id, op.displayName ?? op.id);
        if (op.op === "StepRun") memo[op.id] = { data: op.data };
        else if (op.op === "StepError" || op.op === "StepFailed") memo[op.id] = { error: op.error! };
        else continue;
        stack.push(op.id);
      }
    };
    const retriable = ({ ops, status, noRetry }: CallResult) =>
      ops.some((op) => op.op === "StepError") || (status >= 500 && noRetry !== "true");
    // Queue items (the function, or planned steps) run in rounds: all first attempts, then
    // the retries, as Inngest backs off before a retry. Returns each item's final answer.
    const runItems = async (targets: string[]) => {
      const answers: CallResult[] = [];
      for (let attempt = 0, pending = targets; pending.length; attempt += 1) {
        const again: string[] = [];
        for (const target of pending) {
          const step = names.get(target) ?? target;
          await hooks.beforeRequest?.({ step, attempt });
          const result = await call({
            ...{ fnId, event, stepId: target, steps: { ...memo }, stack: [...stack], runId, attempt },
            ...{ maxAttempts: retries + 1, disableImmediateExecution: parallel },
          });
          requests.push({ step, attempt, memo: stack.map((id) => names.get(id)!), status: result.status, ops: result.ops });
          if (retriable(result) && attempt < retries) {
            again.push(target);
            continue;
          }
          answers.push(result);
          remember(result.ops);
        }
        pending = again;
      }
      return answers;
    };
    const failed = async (error: SerializedError): Promise<RunOutcome> => {
      const failureId = `${fnId}-failure`;
      const failedEvent = { name: "inngest/function.failed", data: { function_id: fnId, run_id: runId, error, event } };
      const failure = functions.some((fn) => fn.id === failureId) ? await run(failureId, failedEvent) : undefined;
      return { status: "failed", error, requests, failure };
    };

    while (requests.length < 200) {
      const [found] = (await runItems(["step"])) as [CallResult];
      if (found.status === 200) return { status: "completed", output: found.body, requests };
      if (found.status !== 206) return failed(found.body as SerializedError);
      const planned = found.ops.filter((op) => op.op === "StepPlanned");
      if (!planned.length && !found.ops.some((op) => op.id in memo)) throw new Error(`unsupported: ${JSON.stringify(found.ops)}`);
      if (planned.length > 1) parallel = true;
      // The next call with stepId "step" waits until every planned step has finished.
      const error = (await runItems(planned.map((op) => op.id))).find((result) => result.status !== 206);
      if (error) return failed(error.body as SerializedError);
    }
    throw new Error(`${fnId}: no end after ${requests.length} requests`);
  }

  return { sync, call, run };
}
