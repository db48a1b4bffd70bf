import { expect, test, type APIRequestContext } from "@playwright/test";

// A trip's link, pasted into a chat, previews as the trip (destination and length, never
// interests or travellers), and no /itineraries page is indexed by search engines. Link
// previewers get the metadata in <head> before the page streams (Next's bot list).

const LINK_PREVIEWER = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)";

/** The <head> of a page as a link previewer sees it, and its meta tags by name or property. */
async function headOf(request: APIRequestContext, path: string) {
  const response = await request.get(path, { headers: { "user-agent": LINK_PREVIEWER } });
  const html = await response.text();
  const head = html.slice(0, html.indexOf("</head>"));
  const meta = (key: string) =>
    [...head.matchAll(/<meta\s[^>]*>/g)]
      .map(([tag]) => tag)
      .filter((tag) => tag.includes(`name="${key}"`) || tag.includes(`property="${key}"`))
      .map((tag) => /content="([^"]*)"/.exec(tag)?.[1]);
  return { status: response.status(), head, meta };
}

test("a shared trip previews as its destination and length, and nothing else about it", async ({ request }) => {
  const created = await request.post("/api/itineraries", {
    data: {
      destination: "Valletta, Malta",
      durationDays: 3,
      interests: ["street food", "baroque churches"],
      pace: "packed",
      budget: "luxury",
      travellers: 4,
    },
  });
  const { jobId } = (await created.json()) as { jobId: string };

  const { status, head, meta } = await headOf(request, `/itineraries/${jobId}`);
  expect(status).toBe(200);
  expect(meta("og:title")).toEqual(["Valletta, Malta: a 3-day itinerary"]);
  expect(meta("og:description")).toEqual(["A 3-day trip to Valletta, Malta, planned day by day with Itinera."]);
  expect(meta("twitter:title")).toEqual(meta("og:title"));
  expect(meta("description")).toEqual(meta("og:description"));
  for (const detail of ["street food", "baroque", "packed", "luxury", "traveller"]) {
    expect(head.toLowerCase()).not.toContain(detail);
  }
  expect(meta("robots")).toEqual(["noindex"]);
});

test("no /itineraries page is indexed: History, a trip, an unknown trip", async ({ request }) => {
  expect((await headOf(request, "/itineraries")).meta("robots")).toEqual(["noindex"]);
  const unknown = await headOf(request, "/itineraries/00000000-0000-4000-8000-000000000000");
  expect(unknown.status).toBe(404);
  expect(unknown.meta("robots")).toContain("noindex");
  expect(unknown.meta("og:title")).toEqual([]);
  // The form, on the other hand, is meant to be found.
  expect((await headOf(request, "/")).meta("robots")).toEqual([]);
});
