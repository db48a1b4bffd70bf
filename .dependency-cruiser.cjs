// The layers of Itinera, checked on every `npm run lint`. Arrows point one way:
//   app → lib/api → lib/itineraries → lib/jobs → lib/workflow → lib/llm, lib/webhooks
//       → lib/live → lib/db → platform leaves (env, logger, errors, singleton, step context)
//       → lib/domain (zod only)
// inngest/functions are thin wrappers over lib/workflow; only inngest/index.ts lists them.
// docs/architecture.md draws the same picture. Each rule says what it protects.

/** Single-file modules every layer may use; they import only each other. */
const PLATFORM = "^lib/(env|logger|log-format|errors|singleton|step-context)\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "A cycle means neither module can be understood, tested or loaded without the other.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "lib-not-to-app",
      comment: "lib is the application; app/ and components/ are its web surface and may change freely.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^(app|components)/" },
    },
    {
      name: "domain-is-a-leaf",
      comment:
        "The trip model is shared with client components, the LLM schemas and OpenAPI: it imports zod and nothing of ours, so it never drags the server into a bundle.",
      severity: "error",
      from: { path: "^lib/domain/" },
      to: { pathNot: ["^lib/domain/", "^node_modules/zod/"] },
    },
    {
      name: "platform-leaves",
      comment: "env, logger, errors, the singleton store and the step context sit under everything: they may not reach up.",
      severity: "error",
      from: { path: PLATFORM },
      to: { path: "^(lib|inngest|app|components)/", pathNot: [PLATFORM] },
    },
    {
      name: "db-imports-only-domain",
      comment:
        "Queries are statements in, rows out: the database layer knows the trip model (and reads its URL from env) but no workflow, command or side effect.",
      severity: "error",
      from: { path: "^lib/db/" },
      to: { path: "^(lib|inngest)/", pathNot: ["^lib/(db|domain)/", PLATFORM] },
    },
    {
      name: "live-below-the-workflow",
      comment:
        "The change feed is told about changes and passes them on (in-process, or through the database's LISTEN/NOTIFY); it never reads or writes jobs, so the workflow, the commands and the streams can all use it.",
      severity: "error",
      from: { path: "^lib/live/" },
      to: { path: "^(lib|inngest)/", pathNot: ["^lib/(live|domain)/", "^lib/db/notifications\\.ts$", PLATFORM] },
    },
    {
      name: "services-below-the-workflow",
      comment:
        "The model client and the webhook transport are services the workflow calls: they know nothing of jobs, runners, commands or storage.",
      severity: "error",
      from: { path: "^lib/(llm|webhooks)/" },
      to: { path: "^(lib/(db|live|workflow|jobs|itineraries|api)|inngest)/" },
    },
    {
      name: "workflow-below-the-runners",
      comment:
        "Handlers are written once and run by either runner: they get their step tools and notifier as arguments, never by importing a runner, a command or Inngest.",
      severity: "error",
      from: { path: "^lib/workflow/" },
      to: { path: "^(lib/(jobs|itineraries|api)|inngest)/" },
    },
    {
      name: "runners-below-the-commands",
      comment: "The runner seam starts and stops work; the commands that decide to do so sit above it.",
      severity: "error",
      from: { path: "^lib/jobs/" },
      to: { path: "^(lib/(itineraries|api)|inngest/functions)/" },
    },
    {
      name: "commands-below-http",
      comment: "Commands and reads serve the form, the API and the pages alike: no HTTP in them.",
      severity: "error",
      from: { path: "^lib/itineraries/" },
      to: { path: "^lib/api/" },
    },
    {
      name: "inngest-client-stays-low",
      comment:
        "lib/jobs sends events through the Inngest client: the client, its events and step adapter must not import the layers that import them.",
      severity: "error",
      from: { path: "^inngest/[^/]+\\.ts$", pathNot: "^inngest/index\\.ts$" },
      to: { path: "^(lib/(db|jobs|itineraries|api|llm|webhooks)|inngest/functions)/" },
    },
    {
      name: "functions-listed-once",
      comment: "inngest/functions are wrappers served at /api/inngest: only inngest/index.ts lists them; nothing in lib imports them.",
      severity: "error",
      from: { pathNot: "^inngest/index\\.ts$" },
      to: { path: "^inngest/functions/" },
    },
    {
      name: "gazetteer-only-for-the-demo",
      comment:
        "The demo model's city gazetteer is megabytes of data: only the demo model may load it, so it never reaches another server module or a browser bundle.",
      severity: "error",
      from: { pathNot: ["^lib/llm/demo/", "^lib/llm/demo-model\\.ts$"] },
      to: { path: ["^lib/llm/demo/", "^node_modules/(city-timezones|country-to-currency)/"] },
    },
    {
      name: "client-components-import-the-domain",
      comment:
        "Components run in the browser: they may use the trip model, the export helpers and formatters and the form's state, never server modules.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^(lib|inngest)/", pathNot: ["^lib/domain/", "^lib/itineraries/(export|format)\\.ts$"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(\\.next|\\.data)/" },
    tsPreCompilationDeps: true,
    // Resolve "@/…" as tsconfig.json does, through a webpack-style alias: dependency-cruiser's
    // tsconfig support would also resolve a bare "inngest" to the inngest/ folder.
    webpackConfig: { fileName: "scripts/depcruise-resolve.cjs" },
  },
};
