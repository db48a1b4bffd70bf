import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import type { ListCursor } from "@/lib/db/queries/itineraries";
import { STATUSES } from "@/lib/domain/constants";

// Query strings and headers of the itinerary routes, validated with the same care as bodies.

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export function readIdempotencyKey(request: Request): string | undefined {
  const key = request.headers.get("idempotency-key");
  if (key === null) return undefined;
  if (key.trim() === "" || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new AppError(
      "bad_request",
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`,
    );
  }
  return key;
}

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString("base64url");
}

const cursorSchema = z
  .string()
  .transform((value) => Buffer.from(value, "base64url").toString("utf8").split("|"))
  // Year 0000 is valid ISO 8601 but not a Postgres timestamp; our cursors are never that old.
  .pipe(z.tuple([z.iso.datetime().refine((value) => !value.startsWith("0000")), z.uuid()]))
  .transform(([createdAt, id]): ListCursor => ({ createdAt: new Date(createdAt), id }));

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(STATUSES).optional(),
  cursor: cursorSchema.optional(),
});

export function readListQuery(url: URL) {
  const result = listQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!result.success) {
    const { fieldErrors } = z.flattenError(result.error);
    throw new AppError("bad_request", "The query string is not valid.", {
      fields: fieldErrors as Record<string, string[]>,
    });
  }
  return result.data;
}
