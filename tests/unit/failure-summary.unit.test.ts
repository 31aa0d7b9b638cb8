import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ExportStalledError } from '../../lib/exports/stall-watchdog';
import { describeExportError } from '../../worker/activities/describe-error';
import { summarizeFailure } from '../../worker/workflows/failure-summary';
import { internalDetailPattern } from '../support/internal-detail';

/**
 * The export row's error summary is read by every admin of the tenant, viewers included:
 * one fixed sentence per category with an action, never the raw failure text (review L3).
 */
type RetryState = ConstructorParameters<typeof ActivityFailure>[3];

function activityFailure(cause: Error, retryState: RetryState = 'MAXIMUM_ATTEMPTS_REACHED'): ActivityFailure {
  return new ActivityFailure('Activity task failed', 'exportUserData', '1', retryState, 'worker@host', cause);
}

// What the AWS SDK throws when S3 is down (the message of tests/fixtures/histories/s3-gone.json).
const s3Down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:42651'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } });
const pgDown = Object.assign(new Error('connect ECONNREFUSED 10.0.3.7:5432'), { code: 'ECONNREFUSED' });

describe('failed export summary', () => {
  it.each([
    ['S3 refused', describeExportError(s3Down), /because file storage was unreachable/],
    ['Postgres refused', describeExportError(pgDown), /because the database was unreachable/],
    ['S3 stopped answering (stall)', describeExportError(new ExportStalledError('storage', 31_000)), /because file storage was unreachable/],
    ['a COPY that hung (stall)', describeExportError(new ExportStalledError('database', 30_500)), /because the database was unreachable/],
    ['a bug', ApplicationFailure.retryable('relation "exports" does not exist at db.internal:5432', 'Error'), /because of an unexpected error/],
  ])('%s: a fixed sentence with the attempts and an action, no host, port or code', (_label, cause, expected) => {
    const summary = summarizeFailure(activityFailure(cause as Error), 3);
    expect(summary).toMatch(/^The export failed after 3 attempts because /);
    expect(summary).toMatch(expected);
    expect(summary).toMatch(/Request it again/);
    expect(summary).not.toMatch(internalDetailPattern);
  });

  it('a lost worker (heartbeat timeout) says so and points to the operator', () => {
    const summary = summarizeFailure(activityFailure(new TimeoutFailure('activity Heartbeat timeout', undefined, 'HEARTBEAT')), 3);
    expect(summary).toBe(
      'The export failed after 3 attempts because the export worker stopped responding. Request it again; if it keeps failing, contact your operator to check the export workers.',
    );
  });

  it('a non-retryable not-found claims no attempts and hides the ids in the raw message', () => {
    const cause = ApplicationFailure.create({ type: 'NotFound', message: 'Export 3f0e… is not queued or running in this environment', nonRetryable: true });
    const summary = summarizeFailure(activityFailure(cause, 'NON_RETRYABLE_FAILURE'), 3);
    expect(summary).toBe(
      'The export failed because the user or the export no longer exists in this environment. Check the user, then request the export again.',
    );
  });

  it('a thrown non-Temporal error is "unexpected", its message not repeated', () => {
    const summary = summarizeFailure(new Error('getaddrinfo ENOTFOUND s3.internal.example'), 3);
    expect(summary).toBe('The export failed because of an unexpected error. Request it again; if it keeps failing, contact your operator.');
  });
});
