import "server-only";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { AppError, isAppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { logger, stackFrames } from "@/lib/logger";

// Route handlers translate: read the request, call lib, present. These helpers do the
// translating the same way everywhere: one error envelope, no stack, SQL or provider body.

export const MAX_JSON_BYTES = 16 * 1024;

export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (isDatabaseUnavailable(error)) {
    return new AppError("database_unavailable", "The database is unavailable. Please try again shortly.");
  }
  // The frames help find the bug; the message is cut to its first line (see errorFields).
  logger("api").error({ err: error, stack: stackFrames(error) }, "unexpected error");
  return new AppError("internal_error", "Something went wrong on our side. Please try again.");
}

export function errorResponse(error: unknown, headers?: HeadersInit): Response {
  const appError = toAppError(error);
  const response = Response.json(appError.toJSON(), { status: appError.status, headers });
  const retryAfter = appError.retryAfterSeconds ?? (appError.status === 503 ? 5 : undefined);
  if (retryAfter !== undefined) response.headers.set("Retry-After", String(retryAfter));
  return response;
}

/** Reads a JSON body: 415 for another content type, 413 past the size limit, 400 if malformed. */
export async function readJsonBody(request: Request, maxBytes = MAX_JSON_BYTES): Promise<unknown> {
  const contentType = request.headers.get("content-type") ?? "";
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json" && !mediaType?.endsWith("+json")) {
    throw new AppError("unsupported_media_type", "Send the request body as application/json.");
  }
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new AppError("payload_too_large", `The request body must be at most ${maxBytes} bytes.`);
  }
  const text = await readLimitedText(request, maxBytes);
  if (text.trim() === "") throw new AppError("invalid_json", "The request body is empty.");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON.");
  }
}

async function readLimitedText(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The client broke off the upload: its request, not our server, is at fault.
      throw new AppError("bad_request", "The request body could not be read.");
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AppError("payload_too_large", `The request body must be at most ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

/** The origin for absolute links: APP_URL when set, else the request's own. */
export function publicOrigin(request: Request): string {
  return env().APP_URL ?? new URL(request.url).origin;
}

/** Seconds a poller should wait before asking again while a job runs. */
export const POLL_AFTER_SECONDS = 2;
