import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { getModel } from "@/lib/llm/model";
import { logger } from "@/lib/logger";
import { enforceClientLimits } from "./limits";
import { dispatchItineraryCancelled, dispatchItineraryRequested, notifyItineraryEnded } from "@/lib/jobs/dispatch";
import { assertCallbackUrlAccepted } from "@/lib/webhooks/url-guard";
import type { ItineraryRow } from "@/lib/db/schema";
import { findItineraryWithDays, type ItineraryWithDays } from "./job-with-days";
import {
  endItinerary,
  findItineraryById,
  findItineraryByIdempotencyKey,
  insertItinerary,
  listDayRows,
  listItineraryRows,
  releaseIdempotencyKey,
  type ListCursor,
} from "./queries";
import {
  itineraryRequestSchema,
  jobIdSchema,
  type ItineraryRequest,
  type ItineraryStatus,
} from "./schema";

export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export const DISPATCH_FAILED_MESSAGE =
  "We could not start generating this itinerary because the job queue is unreachable. Please try again in a moment.";

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
 * The one entry for new itineraries (form and API): validate, insert the `processing` row,
 * dispatch the job. If the dispatch fails the row is marked failed and the caller told.
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

  if (idempotencyKey) {
    const existing = await findItineraryByIdempotencyKey({ key: idempotencyKey });
    // Keys live 24 hours (as Stripe's do); after that the key starts a new job.
    if (existing && Date.now() - existing.createdAt.getTime() > IDEMPOTENCY_KEY_TTL_MS) {
      await releaseIdempotencyKey({ id: existing.id });
    } else if (existing) {
      return replay(existing, hash);
    }
  }
  if (clientKey) await enforceClientLimits(clientKey);

  let job: ItineraryRow;
  try {
    job = await insertItinerary({
      ...request,
      status: "processing",
      model: getModel().label,
      idempotencyKey: idempotencyKey ?? null,
      clientKey: clientKey ?? null,
      ownerKey: ownerKey ?? null,
      callbackUrl: request.callbackUrl ?? null,
      requestHash: hash,
    });
  } catch (error) {
    // A concurrent request with the same key won the insert: answer with its job.
    const raced = idempotencyKey ? await findItineraryByIdempotencyKey({ key: idempotencyKey }) : null;
    if (raced) return replay(raced, hash);
    throw error;
  }

  try {
    await dispatchItineraryRequested(job.id);
  } catch (error) {
    logger("submit").error({ jobId: job.id, err: error }, "dispatch failed");
    await endItinerary({ id: job.id, status: "failed", error: DISPATCH_FAILED_MESSAGE });
    throw new AppError("dispatch_failed", DISPATCH_FAILED_MESSAGE, { jobId: job.id });
  }
  return { job, created: true };
}

export type { ItineraryWithDays };

/** The job row alone (a cheap read, e.g. to answer a conditional GET); 404 if unknown. */
export async function requireItineraryRow(id: string): Promise<ItineraryRow> {
  const job = jobIdSchema.safeParse(id).success ? await findItineraryById({ id }) : null;
  if (!job) throw new AppError("not_found", "No itinerary has this id.");
  return job;
}

/** The days landed so far (none to read once the finished itinerary is on the row). */
export function loadDays(job: ItineraryRow): Promise<ItineraryWithDays["days"]> {
  return job.status === "completed" && job.itinerary
    ? Promise.resolve([])
    : listDayRows({ itineraryId: job.id });
}

/** The job and the days landed so far, in one read; null for an unknown or malformed id. */
export async function getItinerary(id: string): Promise<ItineraryWithDays | null> {
  if (!jobIdSchema.safeParse(id).success) return null;
  return findItineraryWithDays({ id });
}

export async function requireItinerary(id: string): Promise<ItineraryWithDays> {
  const found = await getItinerary(id);
  if (!found) throw new AppError("not_found", "No itinerary has this id.");
  return found;
}

export async function listItineraries({
  limit = 20,
  before,
  status,
  ownerKey,
}: {
  limit?: number;
  before?: ListCursor;
  status?: ItineraryStatus;
  ownerKey?: string | null;
} = {}): Promise<ItineraryRow[]> {
  return listItineraryRows({ limit, before, status, ownerKey });
}

/** Stops a processing job. Throws 404 for an unknown id and 409 when it already ended. */
export async function cancelItinerary(id: string): Promise<ItineraryRow> {
  const { job } = await requireItinerary(id);
  const cancelled = await endItinerary({
    id,
    status: "cancelled",
    error: null,
  });
  if (!cancelled) {
    // Read again: the job may have finished between the first read and the update.
    const status = (await findItineraryById({ id }))?.status ?? job.status;
    throw new AppError("conflict", `This itinerary is already ${status}.`, { status });
  }
  try {
    await dispatchItineraryCancelled(id);
  } catch (error) {
    // The row is cancelled either way; steps check it before writing, so nothing lands.
    logger("cancel").error({ jobId: id, err: error }, "could not notify the runner");
  }
  await notifyItineraryEnded(id, "cancelled");
  return (await findItineraryById({ id })) ?? job;
}
