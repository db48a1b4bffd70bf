// Apart from the preview schema, so the browser can key previews without loading zod.

/** The key of the step a preview belongs to: one preview per part of a job at a time. */
export const previewKey = (preview: { part: "outline" | "day"; day: number | null }): string =>
  preview.part === "outline" ? "outline" : `day-${preview.day}`;
