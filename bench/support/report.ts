// Every bench prints its figures twice: a table for people, then one JSON line (starting
// with {"bench":) for scripts and for the summary `npm run bench` prints at the end.

export type Cell = string | number | null;

const text = (cell: Cell) => (cell === null ? "–" : String(cell));

/** A plain-text table: the first row is the header; numbers are right-aligned. */
export function formatTable(title: string, rows: Cell[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => text(row[column] ?? null).length))) ?? [];
  const line = (row: Cell[]) =>
    row
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return typeof cell === "number" ? text(cell).padStart(width) : text(cell).padEnd(width);
      })
      .join("  ")
      .trimEnd();
  const [header = [], ...body] = rows;
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [title, line(header), rule, ...body.map(line)].join("\n");
}

export function printTable(title: string, rows: Cell[][]): void {
  console.log(`\n${formatTable(title, rows)}\n`);
}

export interface Target {
  /** What is measured, e.g. "7-day time-to-complete ÷ baseline". */
  name: string;
  value: number;
  /** "≤" or "≥". */
  op: "≤" | "≥";
  limit: number;
  unit?: string;
}

/** A target's value as people read it: whole-ish numbers to one decimal, ratios to three. */
export const formatValue = (value: number) => round(value, Math.abs(value) >= 10 ? 1 : 3);

export const isMet = (target: Target) => (target.op === "≤" ? target.value <= target.limit : target.value >= target.limit);

export function targetRows(targets: Target[]): Cell[][] {
  return [
    ["target", "measured", "limit", "met"],
    ...targets.map((target) => [
      target.name,
      `${formatValue(target.value)}${target.unit ?? ""}`,
      `${target.op} ${target.limit}${target.unit ?? ""}`,
      isMet(target) ? "yes" : "NO",
    ]),
  ];
}

/** The machine-readable line: {"bench": name, ...figures, "targets": [...]} */
export function printJsonLine(bench: string, figures: Record<string, unknown>, targets: Target[] = []): void {
  const withVerdicts = targets.map((target) => ({ ...target, value: round(target.value, 4), met: isMet(target) }));
  console.log(JSON.stringify({ bench, ...figures, targets: withVerdicts }));
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export const seconds = (ms: number) => round(ms / 1000, 2);
