// Small helpers the demo's writing shares: a stable hash for deterministic choices, filling
// in a template, and keeping text within the lengths the schemas allow.

/** FNV-1a: a small, stable hash so the same request always gets the same itinerary. */
export function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

export const pick = <T>(items: readonly T[], seed: number): T => items[seed % items.length]!;

/** Replaces each {name} in `template` with its value. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}

export const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** `text` cut to at most `max` characters, at a word where possible, with an ellipsis. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const lastSpace = cut.lastIndexOf(" ");
  return `${(lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

/** "a", "a and b", "a, b and c". */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
