// Errors a client may see. Each code maps to one HTTP status; the message is written for
// people and never carries a stack, SQL or a provider's body.

export const ERROR_STATUS = {
  invalid_json: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  rate_limited: 429,
  too_many_active_jobs: 429,
  too_many_streams: 429,
  unsupported_media_type: 415,
  validation_failed: 422,
  idempotency_key_reused: 422,
  dispatch_failed: 503,
  database_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { fields?: FieldErrors } & Record<string, unknown>,
    /** When the client may try again (sent as Retry-After on 429 and 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
