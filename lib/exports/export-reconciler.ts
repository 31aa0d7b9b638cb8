import type { Db } from '../db/client';
import type { Scope } from '../scope';
import { reconcileStuckBulkExports } from './bulk/bulk-reconciler';
import { failExport, markExportCancelled, notStartedSummary } from './export-lifecycle';
import * as repo from './export.repository';
import { type Repair, type WorkflowReader, workflowOutcome } from './workflow-outcome';

/**
 * Repairs export rows (and bulk export rows: bulk/bulk-reconciler.ts) left `queued`/`running`
 * with nothing behind them: the process died between the commit and the workflow start, `finishExport` ran out of retries during a
 * database outage, or an operator terminated the workflow. Such a row would block its user
 * (and count against the tenant's concurrency limit) forever. Temporal is the source of
 * truth for what ran; the row is brought in line through the lifecycle, whose guards keep
 * a workflow that finishes meanwhile from being overwritten.
 */
export interface ReconcileDeps {
  db: Db;
  temporal: WorkflowReader;
}

export interface ReconcileOptions {
  /** Rows younger than this are left alone: their workflow may be starting right now. */
  minAgeMs: number;
  /** At most this many rows per environment per sweep, so one sweep stays short. */
  limitPerEnvironment?: number;
}

export type { Repair };

export interface ReconcileReport {
  checked: number;
  repaired: { exportId: string; repair: Repair }[];
  bulkRepaired: { bulkExportId: string; repair: Repair }[];
}

// Fixed sentences, like failure-summary.ts: rows are read by every admin of the tenant.
const summaries: Record<Exclude<Repair, 'not-started' | 'cancelled'>, string> = {
  failed: 'The export failed and its outcome could not be recorded at the time. Request it again; if it keeps failing, contact your operator.',
  terminated: 'The export was stopped by an operator. Request it again.',
  'timed-out': 'The export ran out of time. Request it again; if it keeps failing, contact your operator.',
  'ended-unrecorded': 'The export ended without recording its file. Request it again.',
};

export async function reconcileStuckExports(deps: ReconcileDeps, options: ReconcileOptions): Promise<ReconcileReport> {
  const createdBefore = new Date(Date.now() - options.minAgeMs);
  const report: ReconcileReport = { checked: 0, repaired: [], bulkRepaired: [] };
  for (const scope of await repo.listEnvironmentScopes(deps.db)) {
    const rows = await repo.findInFlightExportsCreatedBefore(deps.db, scope, createdBefore, options.limitPerEnvironment ?? 100);
    for (const row of rows) {
      report.checked++;
      const repair = await repairOne(deps, scope, row);
      if (repair) report.repaired.push({ exportId: row.id, repair });
    }
    // A bulk row left open counts against the tenant's bulk exports in flight forever.
    const bulk = await reconcileStuckBulkExports(deps, scope, createdBefore, options.limitPerEnvironment ?? 100);
    report.checked += bulk.checked;
    report.bulkRepaired.push(...bulk.repaired);
  }
  return report;
}

/** Copies the workflow's outcome to the row; null when the workflow still runs (or the row moved on). */
async function repairOne(deps: ReconcileDeps, scope: Scope, row: { id: string; workflow_id: string }): Promise<Repair | null> {
  const outcome = await workflowOutcome(deps.temporal, row.workflow_id);
  if (outcome === null) return null;
  const moved =
    outcome === 'cancelled'
      ? await markExportCancelled(deps.db, scope, row.id)
      : await failExport(deps.db, scope, row.id, outcome === 'not-started' ? notStartedSummary : summaries[outcome]);
  return moved ? outcome : null;
}
