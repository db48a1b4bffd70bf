// Apart from the preview schema, so the browser can key previews without loading zod.

/** The key of the step a preview belongs to: one preview per part of a job at a time. */
export const previewKey = (preview: { part: "outline" | "details" | "day"; day: number | null }): string =>
  preview.part === "day" ? `day-${preview.day}` : preview.part;
