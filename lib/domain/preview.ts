import { z } from "zod";
import { MAX_DAYS } from "./constants";

// A preview: what the model has written so far of the outline or of one day, pushed to
// live watchers while its step runs. Previews are never stored: the step's validated
// result replaces them, and a step that fails clears its own (value null). They are
// partial and unchecked — any field may be missing or cut short — so a reader treats them
// as text to show, never as a plan to act on.

export const PREVIEW_PARTS = ["outline", "details", "day"] as const;
export type PreviewPart = (typeof PREVIEW_PARTS)[number];

export const previewSchema = z
  .object({
    part: z
      .enum(PREVIEW_PARTS)
      .describe("What is being written: the outline (title, currency, days), its details (summary, tips, time zone, centre), or one day's plan"),
    day: z.number().int().min(1).max(MAX_DAYS).nullable().describe("The day being written; null for the outline and its details"),
    attempt: z.number().int().min(1).describe("The step's attempt; a retry starts its preview over"),
    value: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(
        "The partial outline, details or DayPlan as written so far (any field may be missing or incomplete); null when the preview is withdrawn because its step failed",
      ),
  })
  .meta({ id: "Preview" });

export type Preview = z.infer<typeof previewSchema>;
export { previewKey } from "./preview-key";
