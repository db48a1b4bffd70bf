import { MAX_DAYS } from "./constants";

// Apart from the preview schema, so the browser can key previews without loading zod.

/** The key of the step a preview belongs to: one preview per part of a job at a time. */
export const previewKey = (preview: { part: "outline" | "details" | "day"; day: number | null }): string =>
  preview.part === "day" ? `day-${preview.day}` : preview.part;

/** A preview as the wire carries it (checked by hand: the browser does without zod). */
export function isPreview(value: unknown): value is {
  part: "outline" | "details" | "day";
  day: number | null;
  attempt: number;
  value: Record<string, unknown> | null;
} {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    (candidate.part === "outline" || candidate.part === "details" || candidate.part === "day") &&
    (candidate.day === null || (Number.isInteger(candidate.day) && (candidate.day as number) >= 1 && (candidate.day as number) <= MAX_DAYS)) &&
    Number.isInteger(candidate.attempt) &&
    (candidate.attempt as number) >= 1 &&
    (candidate.value === null || (typeof candidate.value === "object" && !Array.isArray(candidate.value)))
  );
}
