import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';

/** A sentence an admin can act on, from the failure chain of an activity. */
export function summarizeFailure(error: unknown): string {
  let cause: unknown = error;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof TimeoutFailure) {
    return 'The export worker stopped responding and the retries ran out. Check that a worker is running, then request the export again.';
  }
  if (cause instanceof ApplicationFailure) {
    const message = cause.message || 'unknown error';
    if (cause.type === 'NotFound' || cause.type === 'ValidationError') return message;
    return `The export failed after 3 attempts: ${message}`;
  }
  return `The export failed: ${cause instanceof Error ? cause.message : String(cause)}`;
}
