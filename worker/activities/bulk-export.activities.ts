import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Db } from '../../lib/db/client';
import { isAppError } from '../../lib/errors';
import { writeBulkArchive } from '../../lib/exports/bulk/bulk-archive';
import type { BulkExportRef, BulkUserRef } from '../../lib/exports/bulk/bulk-export.contracts';
import { completeBulkExport } from '../../lib/exports/bulk/bulk-export-lifecycle';
import {
  admitChild,
  type ChildAdmission,
  endBulk,
  nextPendingUsers,
  recordChildEnding,
  startBulk,
  type TenantCaps,
} from '../../lib/exports/bulk/bulk-children';
import { deleteObject } from '../../lib/storage/multipart-upload';
import { retryTransient } from '../../lib/retry';
import { failureTypes } from '../../lib/temporal/failure-types';
import { describeExportError } from './describe-error';

export interface BulkExportActivityDeps {
  db: Db;
  s3: S3Client;
  bucket: string;
  retentionSeconds: number;
  /** The tenant's caps (EXPORT_RATE_PER_MINUTE, EXPORT_MAX_CONCURRENT), applied to each child's start. */
  caps: TenantCaps;
}

/**
 * The bulk export's steps. The small database steps run as local activities (one marker
 * each in the parent's history); the ZIP is an ordinary activity with heartbeats. Input is
 * the workflow's, validated there.
 */
export function createBulkExportActivities(deps: BulkExportActivityDeps) {
  return {
    async startBulkExport(ref: BulkExportRef): Promise<void> {
      await startBulk(deps.db, ref);
    },

    async nextBulkUsers(input: BulkExportRef & { afterPosition: number; limit: number }): Promise<BulkUserRef[]> {
      return nextPendingUsers(deps.db, input, input.afterPosition, input.limit);
    },

    async admitBulkChild(input: BulkExportRef & BulkUserRef): Promise<ChildAdmission> {
      return admitChild(deps.db, input, input, deps.caps);
    },

    async recordBulkChild(input: BulkExportRef & BulkUserRef & { ending: 'completed' | 'failed' | 'cancelled'; summary: string | null }): Promise<void> {
      await recordChildEnding(deps.db, input, input);
    },

    async endBulkExport(input: BulkExportRef & ({ status: 'cancelled' } | { status: 'failed'; summary: string })): Promise<void> {
      await endBulk(deps.db, input, input.status === 'cancelled' ? { status: 'cancelled' } : { status: 'failed', summary: input.summary });
    },

    /** Writes the bulk ZIP from the children's files and completes the bulk row. */
    async writeBulkExportArchive(ref: BulkExportRef): Promise<{ bytes: number }> {
      const ctx = Context.current();
      const scope = { tenantId: ref.tenantId, environmentId: ref.environmentId };
      ctx.heartbeat({ users: 0 });
      try {
        const file = await writeBulkArchive(deps, ref, {
          attempt: ctx.info.attempt,
          signal: ctx.cancellationSignal,
          onProgress: (users, bytes) => ctx.heartbeat({ users, bytes }),
        });
        const taken = await retryTransient(() => completeBulkExport(deps.db, scope, ref.bulkExportId, file, deps.retentionSeconds), {
          signal: ctx.cancellationSignal,
          onRetry: () => ctx.heartbeat(),
        });
        if (!taken) {
          // The bulk ended meanwhile (cancelled): no row names this file.
          await deleteObject(deps.s3, deps.bucket, file.objectKey).catch(() => {});
          throw ApplicationFailure.create({
            type: failureTypes.superseded,
            message: `Bulk export ${ref.bulkExportId} ended before its ZIP was written`,
            nonRetryable: true,
          });
        }
        return { bytes: file.bytes };
      } catch (error) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('Bulk export cancelled', undefined, error instanceof Error ? error : undefined);
        if (isAppError(error) && (error.code === 'not_found' || error.code === 'validation')) {
          throw ApplicationFailure.create({
            type: error.code === 'not_found' ? failureTypes.notFound : failureTypes.validation,
            message: error.message,
            nonRetryable: true,
          });
        }
        throw describeExportError(error);
      }
    },
  };
}

export type BulkExportActivities = ReturnType<typeof createBulkExportActivities>;
