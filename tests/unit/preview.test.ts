import { describe, expect, it } from "vitest";
import { previewSchema } from "@/lib/domain/preview";
import { isPreview, previewKey } from "@/lib/domain/preview-key";

// The browser checks previews by hand (lib/domain/preview-key.ts), so that it does without
// zod; it must accept exactly what the Preview schema does.

const samples: unknown[] = [
  { part: "outline", day: null, attempt: 1, value: { title: "Kyo" } },
  { part: "details", day: null, attempt: 2, value: null },
  { part: "day", day: 3, attempt: 1, value: { activities: [{ title: "Mar" }] } },
  { part: "day", day: 0, attempt: 1, value: {} },
  { part: "day", day: 2.5, attempt: 1, value: {} },
  { part: "day", day: 15, attempt: 1, value: {} },
  { part: "day", day: 1, attempt: 0, value: {} },
  { part: "week", day: null, attempt: 1, value: {} },
  { part: "day", day: 1, attempt: "1", value: {} },
  { part: "day", day: 1, attempt: 1, value: [] },
  { part: "day", day: 1, attempt: 1 },
  { part: "outline", attempt: 1, value: {} },
  null,
  "partial",
];

describe("previews in the browser", () => {
  it("accepts exactly what the Preview schema accepts", () => {
    for (const sample of samples) {
      expect(isPreview(sample), JSON.stringify(sample)).toBe(previewSchema.safeParse(sample).success);
    }
  });

  it("keys a preview by the step that writes it", () => {
    expect([previewKey({ part: "outline", day: null }), previewKey({ part: "details", day: null }), previewKey({ part: "day", day: 4 })]).toEqual([
      "outline",
      "details",
      "day-4",
    ]);
  });
});
