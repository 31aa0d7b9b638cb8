import type { BulkExportRowUpdate } from '../../db/schema';
import type { Scope } from '../../scope';
import type { BulkExportStatusValue } from './bulk-export.contracts';
import { statusTransitions } from '../status-transitions';
import * as repo from './bulk-export.repository';

/**
 * The one owner of a bulk export's status, like export-lifecycle.ts for single exports:
 *
 *   queued → running → completed | failed | cancelled
 *                       completed → expired
 *
 * A write applies only from a status that may move to the new one, so a late or repeated
 * write (a retried activity, a cancel racing the ZIP) never undoes an ending.
 */
export const bulkExportTransitions = {
  queued: ['running', 'failed', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: ['expired'],
  failed: [],
  cancelled: [],
  expired: [],
} as const satisfies Record<BulkExportStatusValue, readonly BulkExportStatusValue[]>;

const { statusesLeadingTo } = statusTransitions<BulkExportStatusValue>(bulkExportTransitions);

type DbOrTx = Parameters<typeof repo.updateBulkStatus>[0];
type BulkSet = Omit<BulkExportRowUpdate, 'id' | 'status'>;

async function transition(db: DbOrTx, scope: Scope, id: string, to: BulkExportStatusValue, set: BulkSet = {}): Promise<boolean> {
  const result = await repo.updateBulkStatus(db, scope, id, statusesLeadingTo(to), { ...set, status: to });
  return result.numUpdatedRows > 0n;
}

export function markBulkRunning(db: DbOrTx, scope: Scope, id: string, rowsTotal: number): Promise<boolean> {
  return transition(db, scope, id, 'running', { rows_total: rowsTotal, started_at: new Date() });
}

export function completeBulkExport(
  db: DbOrTx,
  scope: Scope,
  id: string,
  file: { objectKey: string; fileName: string; bytes: number; sha256: string },
  retentionSeconds: number,
): Promise<boolean> {
  const now = new Date();
  return transition(db, scope, id, 'completed', {
    object_key: file.objectKey,
    file_name: file.fileName,
    bytes: file.bytes,
    sha256: file.sha256,
    completed_at: now,
    expires_at: new Date(now.getTime() + retentionSeconds * 1000),
  });
}

/** `summary` is a fixed sentence an admin may read, never raw error text. */
export function failBulkExport(db: DbOrTx, scope: Scope, id: string, summary: string): Promise<boolean> {
  return transition(db, scope, id, 'failed', { error_summary: summary, completed_at: new Date() });
}

export function markBulkCancelled(db: DbOrTx, scope: Scope, id: string): Promise<boolean> {
  return transition(db, scope, id, 'cancelled', { completed_at: new Date() });
}

/** The retention sweep deleted the ZIP: the row keeps its facts and loses the key. */
export function expireBulkExport(db: DbOrTx, scope: Scope, id: string): Promise<boolean> {
  return transition(db, scope, id, 'expired', { object_key: null });
}

/** The summary of a bulk export whose workflow never started. */
export const bulkNotStartedSummary = 'The bulk export could not be started because the workflow service was unavailable. Request it again.';
