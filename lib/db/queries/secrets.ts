import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "../client";
import { appSecrets } from "../schema";

/**
 * The secret called `name`, created with `initial` the first time any instance asks: one
 * statement, and every instance on the database gets the same value.
 */
export async function getOrCreateSecret({ name, initial }: { name: string; initial: string }): Promise<string> {
  const db = await getDb();
  const [row] = await db
    .insert(appSecrets)
    .values({ name, value: initial })
    // A no-op update, so RETURNING hands back the stored value when the row exists.
    .onConflictDoUpdate({ target: appSecrets.name, set: { name: sql`excluded.name` } })
    .returning({ value: appSecrets.value });
  if (!row) throw new Error(`could not read the ${name} secret`);
  return row.value;
}
