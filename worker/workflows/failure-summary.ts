import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { failureTypes } from '../../lib/temporal/failure-types';

/**
 * What went wrong, as a tenant's admins (viewers included) may read it. The export row's
 * error summary is one fixed sentence per category and never the failure's own text:
 * that text can hold hosts, ports, bucket names or SQL (review L3). The raw detail stays
 * in Temporal (the activity's failure in the workflow history) and in the worker log.
 */
export type FailureCategory = 'storage' | 'database' | 'not-found' | 'invalid-input' | 'worker-lost' | 'unexpected';

const sentences: Record<FailureCategory, { what: string; action: string }> = {
  storage: { what: 'file storage was unreachable', action: 'Request it again in a few minutes; if it keeps failing, contact your operator.' },
  database: { what: 'the database was unreachable', action: 'Request it again in a few minutes; if it keeps failing, contact your operator.' },
  'not-found': { what: 'the user or the export no longer exists in this environment', action: 'Check the user, then request the export again.' },
  'invalid-input': { what: 'the export request was invalid', action: 'Request it again; if it keeps failing, contact your operator.' },
  'worker-lost': {
    what: 'the export worker stopped responding',
    action: 'Request it again; if it keeps failing, contact your operator to check the export workers.',
  },
  unexpected: { what: 'of an unexpected error', action: 'Request it again; if it keeps failing, contact your operator.' },
};

// ApplicationFailure types set by worker/activities (describe-error.ts, export.activities.ts).
const categoryOfType: Record<string, FailureCategory> = {
  [failureTypes.storage]: 'storage',
  [failureTypes.databaseUnavailable]: 'database',
  [failureTypes.notFound]: 'not-found',
  [failureTypes.validation]: 'invalid-input',
};

export function categorizeFailure(error: unknown): FailureCategory {
  let cause: unknown = error;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof TimeoutFailure) return 'worker-lost';
  if (cause instanceof ApplicationFailure) return categoryOfType[cause.type ?? ''] ?? 'unexpected';
  return 'unexpected';
}

/**
 * The summary stored on a failed export. `maxAttempts` is the activity's retry limit; it is
 * named only when Temporal reports the retries ran out, so a non-retryable failure does not
 * claim attempts that never happened.
 */
export function summarizeFailure(error: unknown, maxAttempts: number, subject = 'The export'): string {
  const category = categorizeFailure(error);
  const { what, action } = sentences[category];
  const exhausted = error instanceof ActivityFailure && error.retryState === 'MAXIMUM_ATTEMPTS_REACHED';
  return `${subject} failed${exhausted ? ` after ${maxAttempts} attempts` : ''} because ${what}. ${action}`;
}
