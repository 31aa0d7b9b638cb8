import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { isAppError } from '../../errors';
import type { Scope } from '../../scope';
import type { ExportFormatName } from '../export.contracts';
import { createQueuedExport, failExport, markExportCancelled } from '../export-lifecycle';
import { findInFlightExportForUser, lockTenantForExports, lockUserForExports } from '../export.repository';
import { checkExportRateLimits } from '../rate-limit';
import type { BulkExportRef, BulkUserRef } from './bulk-export.contracts';
import { failBulkExport, markBulkCancelled, markBulkRunning } from './bulk-export-lifecycle';
import * as repo from './bulk-export.repository';

export interface TenantCaps {
  perMinute: number;
  concurrent: number;
}

/**
 * A child may start (its export row is queued), must wait (the tenant's caps are reached, or
 * the user has an export with the same options in flight already), or is not to run (the
 * user was handled already, or the bulk has ended).
 */
export type ChildAdmission =
  | { kind: 'admitted'; exportId: string }
  | { kind: 'wait'; retryAfterSeconds: number; reason: 'caps' | 'user-busy' }
  | { kind: 'skip' };

const scopeOf = (ref: BulkExportRef): Scope => ({ tenantId: ref.tenantId, environmentId: ref.environmentId });

/** First run only: the bulk's row total, and `running`. */
export async function startBulk(db: Db, ref: BulkExportRef): Promise<void> {
  const scope = scopeOf(ref);
  const bulk = await repo.findBulkExport(db, scope, ref.bulkExportId);
  if (bulk?.status !== 'queued') return;
  const rowsTotal = await repo.countBulkRows(db, scope, ref.bulkExportId, {
    from: bulk.range_from?.toISOString() ?? null,
    to: bulk.range_to?.toISOString() ?? null,
  });
  await markBulkRunning(db, scope, ref.bulkExportId, rowsTotal);
}

export function nextPendingUsers(db: Db, ref: BulkExportRef, afterPosition: number, limit: number): Promise<BulkUserRef[]> {
  return repo.findPendingBulkUsers(db, scopeOf(ref), ref.bulkExportId, afterPosition, limit);
}

/**
 * Queues one user's export as a child of the bulk, under the same locks and caps as a
 * single export request (export.service.ts): the user lock, then the tenant lock and the
 * per-minute and in-flight caps, counted from the exports table, so bulk children and
 * single exports share one budget across every process. Idempotent: a retry after the
 * commit finds the user running and returns the same export.
 */
export async function admitChild(db: Db, ref: BulkExportRef, user: BulkUserRef, caps: TenantCaps): Promise<ChildAdmission> {
  const scope = scopeOf(ref);
  return db.transaction().execute(async (tx) => {
    await lockUserForExports(tx, scope, user.userId);
    const row = await repo.findBulkUser(tx, scope, ref.bulkExportId, user.position);
    if (!row) return { kind: 'skip' };
    if (row.status === 'running' && row.export_id) return { kind: 'admitted', exportId: row.export_id };
    if (row.status !== 'pending') return { kind: 'skip' };
    const bulk = await repo.findBulkExport(tx, scope, ref.bulkExportId);
    if (bulk?.status !== 'running') return { kind: 'skip' };
    const options = { format: bulk.format as ExportFormatName, from: bulk.range_from?.toISOString() ?? null, to: bulk.range_to?.toISOString() ?? null };
    // One export per user and options in flight (a unique index): wait for the one running.
    if (await findInFlightExportForUser(tx, scope, user.userId, options)) return { kind: 'wait', retryAfterSeconds: 5, reason: 'user-busy' };
    await lockTenantForExports(tx, scope.tenantId);
    try {
      await checkExportRateLimits(tx, scope.tenantId, caps);
    } catch (error) {
      if (isAppError(error) && error.code === 'rate_limited') return { kind: 'wait', retryAfterSeconds: error.options.retryAfterSeconds ?? 5, reason: 'caps' };
      throw error;
    }
    const exportId = randomUUID();
    await createQueuedExport(tx, {
      id: exportId,
      scope,
      userId: user.userId,
      requestedBy: bulk.requested_by,
      workflowId: `user-export-${exportId}`,
      options,
      bulkExportId: ref.bulkExportId,
    });
    await repo.updateBulkUser(tx, scope, ref.bulkExportId, user.position, ['pending'], { status: 'running', export_id: exportId });
    return { kind: 'admitted', exportId };
  });
}

type Tx = Parameters<typeof repo.findBulkUser>[0];
type Ending = 'completed' | 'failed' | 'cancelled';

/**
 * Records how one user's export ended, and adds it to the bulk's counters once (a repeated
 * call finds the user no longer running). A failed user's summary is the one its export row
 * holds (written by the child); the child's row is ended here too if the child never got
 * to it (its start failed, or the bulk was cancelled before it started).
 */
export async function recordChildEnding(db: Db, ref: BulkExportRef, user: BulkUserRef & { ending: Ending; summary: string | null }): Promise<void> {
  await db.transaction().execute((tx) => settleUser(tx, ref, user.position, user.ending, user.summary));
}

async function settleUser(tx: Tx, ref: BulkExportRef, position: number, ending: Ending, fallbackSummary: string | null): Promise<void> {
  const scope = scopeOf(ref);
  const row = await repo.findBulkUser(tx, scope, ref.bulkExportId, position);
  if (row?.status !== 'running') return;
  if (row.export_id && ending === 'failed') await failExport(tx, scope, row.export_id, fallbackSummary ?? 'The export failed.');
  if (row.export_id && ending === 'cancelled') await markExportCancelled(tx, scope, row.export_id);
  const exp = row.export_id
    ? await tx
        .selectFrom('exports')
        .select(['rows_exported', 'error_summary', 'status'])
        .where('tenant_id', '=', scope.tenantId)
        .where('environment_id', '=', scope.environmentId)
        .where('id', '=', row.export_id)
        .executeTakeFirst()
    : undefined;
  const rows = ending === 'completed' ? (exp?.rows_exported ?? 0) : null;
  const summary = ending === 'failed' ? (exp?.error_summary ?? fallbackSummary) : null;
  if (await repo.updateBulkUser(tx, scope, ref.bulkExportId, position, ['running'], { status: ending, rows, error_summary: summary })) {
    await repo.addToBulkCounters(tx, scope, ref.bulkExportId, ending, rows ?? 0);
  }
}

/**
 * The bulk ended without its ZIP (cancelled, or failed): users never started end
 * `cancelled`; a user still marked running (its child's ending was not recorded, e.g. the
 * cancel arrived while its row was being queued) takes its export's ending, and an export
 * still queued or running is cancelled; then the bulk takes its ending (false: it had one).
 */
export async function endBulk(db: Db, ref: BulkExportRef, ending: { status: 'cancelled' } | { status: 'failed'; summary: string }): Promise<boolean> {
  const scope = scopeOf(ref);
  return db.transaction().execute(async (tx) => {
    await repo.cancelPendingBulkUsers(tx, scope, ref.bulkExportId);
    for (const orphan of await repo.findQueuedBulkChildren(tx, scope, ref.bulkExportId)) await markExportCancelled(tx, scope, orphan.id);
    for (const user of await repo.findRunningBulkUsers(tx, scope, ref.bulkExportId)) {
      const exp = user.export_id
        ? await tx
            .selectFrom('exports')
            .select('status')
            .where('tenant_id', '=', scope.tenantId)
            .where('environment_id', '=', scope.environmentId)
            .where('id', '=', user.export_id)
            .executeTakeFirst()
        : undefined;
      const settled: Ending = exp?.status === 'completed' || exp?.status === 'failed' ? exp.status : 'cancelled';
      await settleUser(tx, ref, user.position, settled, null);
    }
    if (ending.status === 'cancelled') return markBulkCancelled(tx, scope, ref.bulkExportId);
    return failBulkExport(tx, scope, ref.bulkExportId, ending.summary);
  });
}
