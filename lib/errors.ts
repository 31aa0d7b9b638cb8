/**
 * One error type for the whole app: a code from a fixed list, a message saying what was
 * wrong, and a hint saying how to fix it. The code decides the HTTP status.
 */
export const errorStatus = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint: string,
    // reason: a short fixed label for metrics when one code has several causes (never sent to clients).
    readonly options: { retryAfterSeconds?: number; cause?: unknown; reason?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toBody(): { error: { code: ErrorCode; message: string; hint: string } } {
    return { error: { code: this.code, message: this.message, hint: this.hint } };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
