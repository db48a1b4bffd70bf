import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import { findItineraryByIdempotencyKey, insertItinerary, releaseIdempotencyKey } from "@/lib/db/queries/itineraries";
import type { ItineraryRow } from "@/lib/db/schema";
import { itineraryRequestSchema, type ItineraryRequest } from "@/lib/domain/trip";
import { AppError } from "@/lib/errors";
import { dispatchItineraryRequested } from "@/lib/jobs/dispatch";
import { getModel } from "@/lib/llm/model";
import { assertCallbackUrlAccepted } from "@/lib/webhooks/url-guard";
import { dispatchOrFail } from "./commands";
import { insertWithinClientLimits } from "./limits";

// The one entry for new itineraries, from the form and the API alike.

export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export function parseItineraryRequest(input: unknown): ItineraryRequest {
  const result = itineraryRequestSchema.safeParse(input);
  if (!result.success) {
    const { fieldErrors, formErrors } = z.flattenError(result.error);
    const fields: Record<string, string[]> = Object.fromEntries(
      Object.entries(fieldErrors).filter((entry): entry is [string, string[]] => Array.isArray(entry[1])),
    );
    if (formErrors.length > 0) fields._ = formErrors;
    throw new AppError("validation_failed", "Some fields need attention.", { fields });
  }
  return result.data;
}

/** A stable fingerprint of a validated request, for idempotency-key comparisons. */
export function requestHash(request: ItineraryRequest): string {
  const canonical = JSON.stringify({ ...request, interests: [...request.interests].sort() });
  return createHash("sha256").update(canonical).digest("hex");
}

export interface SubmitResult {
  job: ItineraryRow;
  /** False when an idempotency key returned an earlier job. */
  created: boolean;
}

function replay(existing: ItineraryRow, hash: string): SubmitResult {
  if (existing.requestHash !== hash) {
    throw new AppError(
      "idempotency_key_reused",
      "This Idempotency-Key was already used with a different request.",
    );
  }
  return { job: existing, created: false };
}

/**
 * Validate, insert the `processing` row (within the client's limits, when it has a limits
 * bucket), dispatch the job. If the dispatch fails the row is marked failed and the caller
 * told. An Idempotency-Key names a job among its owner's.
 */
export async function submitItinerary(
  input: unknown,
  {
    idempotencyKey,
    clientKey,
    ownerKey,
  }: { idempotencyKey?: string; clientKey?: string; ownerKey?: string | null } = {},
): Promise<SubmitResult> {
  const request = parseItineraryRequest(input);
  assertCallbackUrlAccepted(request.callbackUrl);
  const hash = requestHash(request);

  const owner = ownerKey ?? null;
  if (idempotencyKey) {
    const existing = await findItineraryByIdempotencyKey({ key: idempotencyKey, ownerKey: owner });
    // Keys live 24 hours (as Stripe's do); after that the key starts a new job.
    if (existing && Date.now() - existing.createdAt.getTime() > IDEMPOTENCY_KEY_TTL_MS) {
      await releaseIdempotencyKey({ id: existing.id });
    } else if (existing) {
      return replay(existing, hash);
    }
  }
  const values = {
    ...request,
    status: "processing" as const,
    model: getModel().label,
    idempotencyKey: idempotencyKey ?? null,
    ownerKey: owner,
    callbackUrl: request.callbackUrl ?? null,
    requestHash: hash,
  };
  let job: ItineraryRow;
  try {
    job = clientKey ? await insertWithinClientLimits({ ...values, clientKey }) : await insertItinerary({ ...values, clientKey: null });
  } catch (error) {
    // A concurrent request with the same key won the insert: answer with its job.
    const raced = idempotencyKey ? await findItineraryByIdempotencyKey({ key: idempotencyKey, ownerKey: owner }) : null;
    if (raced) return replay(raced, hash);
    throw error;
  }

  await dispatchOrFail(job.id, () => dispatchItineraryRequested(job.id), "submit");
  return { job, created: true };
}
