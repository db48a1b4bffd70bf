/**
 * The rows of a raw `db.execute(sql…)`: PGlite, node-postgres and Neon all answer with an
 * object whose `rows` holds them, keyed by the column names the statement returned.
 */
export function rowsOf<T>(result: unknown): T[] {
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}
