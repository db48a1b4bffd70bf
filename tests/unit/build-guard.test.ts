import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findBuildProblems, functionSizes } from "../../scripts/build-guard.mjs";

// The rules `npm run build:guard` applies to a production build's output.

const CLEAN_BUILD = `
▲ Next.js 16.4.5 (Turbopack)
✓ Compiled successfully in 31.4s
  Generating static pages using 1 worker (7/7) in 497ms
Route (app)
┌ ○ /
├ ○ /_global-error
├ ƒ /api/health
└ ƒ /itineraries/[id]
○  (Static)   prerendered as static content
`;

describe("findBuildProblems", () => {
  it("passes a clean build, route names included", () => {
    expect(findBuildProblems(CLEAN_BUILD)).toEqual([]);
  });

  it.each([
    ["⚠ Unsupported metadata themeColor is configured in metadata export", "a build warning"],
    ["Warning: Compiled with warnings", "a build warning"],
    [
      "Error: Dynamic server usage: Route / couldn't be rendered statically because it used `headers`.",
      "a static page used request data",
    ],
    ["Invalid environment: LLM_CONCURRENCY: must be a whole number", "the environment is incomplete"],
    ["INNGEST_SIGNING_KEY is not set", "the environment is incomplete"],
    ["Error occurred prerendering page \"/itineraries\"", "an error"],
    ["The Serverless Function exceeds the maximum size limit of 250 MB", "a limit was exceeded"],
  ])("flags %j as %s", (line, reason) => {
    expect(findBuildProblems(`${CLEAN_BUILD}${line}\n`)).toEqual([{ line, reason }]);
  });
});

describe("functionSizes", () => {
  it("counts each route's traced files plus the shared server files once, largest first", async () => {
    const dist = await mkdtemp(path.join(tmpdir(), "itinera-guard-"));
    try {
      await mkdir(path.join(dist, "server/app/api/small"), { recursive: true });
      await mkdir(path.join(dist, "server/app/big"), { recursive: true });
      await mkdir(path.join(dist, "deps"), { recursive: true });
      const file = (name: string, bytes: number) => writeFile(path.join(dist, name), Buffer.alloc(bytes));
      await file("deps/runtime.js", 1000);
      await file("deps/heavy.wasm", 5000);
      await file("server/app/api/small/route.js", 10);
      await file("server/app/big/page.js", 20);
      await writeFile(path.join(dist, "next-server.js.nft.json"), JSON.stringify({ files: ["deps/runtime.js"] }));
      await writeFile(
        path.join(dist, "server/app/big/page.js.nft.json"),
        JSON.stringify({ files: ["../../../deps/heavy.wasm", "../../../deps/runtime.js"] }),
      );
      await writeFile(
        path.join(dist, "server/app-paths-manifest.json"),
        JSON.stringify({ "/api/small/route": "app/api/small/route.js", "/big/page": "app/big/page.js" }),
      );

      expect(await functionSizes(dist)).toEqual([
        { route: "/big/page", bytes: 6020, files: 3 },
        { route: "/api/small/route", bytes: 1010, files: 2 },
      ]);
    } finally {
      await rm(dist, { recursive: true, force: true });
    }
  });
});
