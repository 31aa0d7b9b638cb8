import { z } from 'zod';
import { AppError } from './errors';

const postgresUnavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/** True for errors that mean "a dependency is down", which callers should retry later. */
export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && postgresUnavailableCodes.has(code)) return true;
  // pg's pool and client phrase their connection failures this way.
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|connect ECONNREFUSED/i.test(error.message);
}

/** Turns any thrown value into an AppError; internals never reach the client. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) {
    const details = error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
    return new AppError('validation', details.join('; '), 'Fix the listed fields and try again; see /api/openapi.json for the expected shapes.');
  }
  // 57014: a query cancelled by the web pool's statement_timeout; the database is busy.
  if ((error as { code?: unknown } | null)?.code === '57014') {
    return new AppError('unavailable', 'The database took too long to answer', 'Try again in a few seconds; narrow a search if it keeps happening.', {
      retryAfterSeconds: 5,
      cause: error,
    });
  }
  if (isUnavailableError(error)) {
    return new AppError('unavailable', 'The database is unavailable', 'This is usually brief; try again in a few seconds.', {
      retryAfterSeconds: 5,
      cause: error,
    });
  }
  return new AppError('internal', 'Something went wrong on our side', 'Try again; if it keeps happening, contact support with the time of the error.', {
    cause: error,
  });
}
