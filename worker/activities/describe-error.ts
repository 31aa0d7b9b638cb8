import { ApplicationFailure } from '@temporalio/common';
import { ExportStalledError } from '../../lib/exports/stall-watchdog';
import { isUnavailableError } from '../../lib/error-classification';
import { failureTypes } from '../../lib/temporal/failure-types';

/**
 * Turns a low-level failure into a retryable ApplicationFailure whose type names its
 * category. The workflow maps the type to a fixed sentence for the export row
 * (failure-summary.ts); the message keeps the raw detail (socket codes, hosts) for
 * Temporal's history and the worker log, which only operators read.
 */
export function describeExportError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof ApplicationFailure) return error;
  const detail = error.message || error.name;
  if (error instanceof ExportStalledError) {
    // Retryable: a fresh attempt gets new connections, and a gateway that was stopped may be back.
    const type = error.stalledOn === 'storage' ? failureTypes.storage : failureTypes.databaseUnavailable;
    return ApplicationFailure.create({ type, message: `Stalled: ${detail}`, cause: error });
  }
  if (isStorageError(error)) {
    return ApplicationFailure.create({ type: failureTypes.storage, message: `Storage (S3) failed or is unreachable: ${detail}`, cause: error });
  }
  if (isUnavailableError(error)) {
    return ApplicationFailure.create({ type: failureTypes.databaseUnavailable, message: `The database is unreachable: ${detail}`, cause: error });
  }
  return error;
}

function isStorageError(error: Error): boolean {
  // AWS SDK errors carry $metadata; network errors from its HTTP handler carry $metadata too.
  return '$metadata' in error || /\bS3\b|multipart/i.test(error.message);
}
