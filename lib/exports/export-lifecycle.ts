import type { Db } from '../db/client';
import type { ExportRowUpdate } from '../db/schema';
import type { ExportFileResult, ExportStatusValue } from './export.contracts';
import * as repo from './export.repository';
import type { ExportRowScope } from './export.repository';
import { statusTransitions } from './status-transitions';

/**
 * The one owner of an export's status. Every status write in the web app and the worker
 * goes through this module, and each write is guarded by the table below: the row is
 * updated only if its current status may move to the new one, so a late or repeated write
 * (a retried activity, a reconciler racing the workflow) can never undo an ending.
 *
 *   queued → running → completed | failed | cancelled
 *                       completed → expired
 *
 * `running → running` is a retry attempt starting over. `completed → expired` is the
 * retention sweep, after it deleted the object; nothing leaves `expired`.
 */
export const exportTransitions = {
  queued: ['running', 'failed', 'cancelled'],
  running: ['running', 'completed', 'failed', 'cancelled'],
  completed: ['expired'],
  failed: [],
  cancelled: [],
  expired: [],
} as const satisfies Record<ExportStatusValue, readonly ExportStatusValue[]>;

/** canTransition(from, to); statusesLeadingTo(to): the statuses a row may be in for a write of `to` to apply. */
export const { canTransition, statusesLeadingTo } = statusTransitions<ExportStatusValue>(exportTransitions);

type DbOrTx = Parameters<typeof repo.updateExportStatus>[0];

/** Moves the row to `to` if the table allows it from its current status; false if it did not move. */
async function transition(db: DbOrTx, scope: ExportRowScope, id: string, to: ExportStatusValue, set: Omit<ExportRowUpdate, 'status'>): Promise<boolean> {
  const result = await repo.updateExportStatus(db, scope, id, statusesLeadingTo(to), { ...set, status: to });
  return result.numUpdatedRows > 0n;
}

/** Every export starts `queued`: the row is committed before its workflow is started. */
export async function createQueuedExport(db: DbOrTx, row: Parameters<typeof repo.insertExport>[1]): Promise<void> {
  await repo.insertExport(db, row);
}

/** An attempt starts: progress restarts at zero, the first start time is kept. */
export function markExportRunning(db: DbOrTx, scope: ExportRowScope, id: string, rowsTotal: number): Promise<boolean> {
  return repo.markExportRunning(db, scope, id, statusesLeadingTo('running'), rowsTotal);
}

/** Progress is not a status change; it is written only while the export runs. */
export function recordExportProgress(db: Db, scope: ExportRowScope, id: string, rowsExported: number): Promise<void> {
  return repo.updateExportProgress(db, scope, id, rowsExported);
}

export function completeExport(db: DbOrTx, scope: ExportRowScope, id: string, file: ExportFileResult, retentionSeconds: number): Promise<boolean> {
  const now = new Date();
  return transition(db, scope, id, 'completed', {
    rows_exported: file.rows,
    rows_total: file.rows,
    bytes: file.bytes,
    sha256: file.sha256,
    object_key: file.objectKey,
    file_name: file.fileName,
    completed_at: now,
    expires_at: new Date(now.getTime() + retentionSeconds * 1000),
    error_summary: null,
  });
}

/** `summary` is a fixed sentence an admin may read (failure-summary.ts), never raw error text. */
export function failExport(db: DbOrTx, scope: ExportRowScope, id: string, summary: string): Promise<boolean> {
  return transition(db, scope, id, 'failed', { error_summary: summary, completed_at: new Date() });
}

export function markExportCancelled(db: DbOrTx, scope: ExportRowScope, id: string): Promise<boolean> {
  return transition(db, scope, id, 'cancelled', { error_summary: null, completed_at: new Date() });
}

/**
 * The retention sweep deleted the file: the row keeps its facts (size, sha256, expiry) for
 * the history, and loses the key to an object that no longer exists.
 */
export function expireExport(db: DbOrTx, scope: ExportRowScope, id: string): Promise<boolean> {
  return transition(db, scope, id, 'expired', { object_key: null });
}

/** The summary of an export whose workflow never started (the start failed, or the process died first). */
export const notStartedSummary = 'The export could not be started because the workflow service was unavailable. Request it again.';
