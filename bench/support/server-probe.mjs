// Loaded into the production server by the watchers bench (NODE_OPTIONS=--import this
// file), never by the app itself. It counts the statements the server sends through its
// database drivers and measures its event loop, and answers those figures over HTTP on
// 127.0.0.1:BENCH_PROBE_PORT (GET /stats; POST /reset starts the event-loop figures again;
// the statement counts only grow: a bench takes their differences), so that a
// bench can read them from outside the server process. The app's code is not changed.
//
// Counted: every call of PGlite's query() and exec() (each one statement, or one batch of
// statements sent as one string), a transaction as its own statements plus BEGIN and
// COMMIT (or ROLLBACK); and every pg Client.query() call (pool queries included), which is
// what the PostgreSQL driver sends.

import { createServer } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const port = Number(process.env.BENCH_PROBE_PORT);
const counts = { pglite: 0, pg: 0 };

/** Counts query() and exec() of a PGlite class, and of the transactions it opens. */
function countPglite(PGlite) {
  const proto = PGlite?.prototype;
  if (!proto || proto.__benchCounted) return;
  proto.__benchCounted = true;
  const { query, exec, transaction } = proto;
  proto.query = function (...args) {
    counts.pglite += 1;
    return query.apply(this, args);
  };
  proto.exec = function (...args) {
    counts.pglite += 1;
    return exec.apply(this, args);
  };
  proto.transaction = function (work) {
    counts.pglite += 2; // BEGIN, then COMMIT or ROLLBACK
    return transaction.call(this, (tx) =>
      work({
        ...tx,
        query: (...args) => ((counts.pglite += 1), tx.query(...args)),
        exec: (...args) => ((counts.pglite += 1), tx.exec(...args)),
        sql: (...args) => ((counts.pglite += 1), tx.sql(...args)),
        rollback: () => tx.rollback(),
        listen: (...args) => tx.listen(...args),
        get closed() {
          return tx.closed;
        },
      }),
    );
  };
}

function countPg(pg) {
  const proto = pg?.Client?.prototype;
  if (!proto || proto.__benchCounted) return;
  proto.__benchCounted = true;
  const { query } = proto;
  proto.query = function (...args) {
    counts.pg += 1;
    return query.apply(this, args);
  };
}

if (Number.isInteger(port) && port > 0) {
  // Resolved from the app's folder, as the server resolves its external packages: the same
  // module instances (the ESM and the CommonJS entries are both patched).
  const require = createRequire(path.join(process.cwd(), "package.json"));
  for (const [name, patch, exportName] of [
    ["@electric-sql/pglite", countPglite, "PGlite"],
    ["pg", countPg, null],
  ]) {
    try {
      const cjs = require(name);
      patch(exportName ? cjs[exportName] : cjs);
      const esm = await import(pathToFileURL(require.resolve(name)).href.replace(/\.cjs$/, ".js"));
      patch(exportName ? esm[exportName] : (esm.default ?? esm));
    } catch {
      // Not installed, or no ESM entry beside the CommonJS one: nothing more to patch.
    }
  }

  // Sampled every RESOLUTION_MS; what is reported is the lag beyond that interval.
  const RESOLUTION_MS = 10;
  const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  loop.enable();
  const ms = (ns) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
  const server = createServer((request, response) => {
    if (request.method === "POST" && request.url === "/reset") {
      loop.reset();
    }
    response.setHeader("content-type", "application/json");
    response.end(
      JSON.stringify({
        pid: process.pid,
        statements: { ...counts },
        rssBytes: process.memoryUsage.rss(),
        eventLoopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max), mean: ms(loop.mean) },
      }),
    );
  });
  server.on("error", () => {}); // A child process that inherited the option: only the first listens.
  server.listen(port, "127.0.0.1");
  server.unref();
}
