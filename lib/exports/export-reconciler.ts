import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db/client';
import type { Scope } from '../scope';
import { failExport, markExportCancelled, notStartedSummary } from './export-lifecycle';
import * as repo from './export.repository';

/**
 * Repairs export rows left `queued`/`running` with nothing behind them: the process died
 * between the commit and the workflow start, `finishExport` ran out of retries during a
 * database outage, or an operator terminated the workflow. Such a row would block its user
 * (and count against the tenant's concurrency limit) forever. Temporal is the source of
 * truth for what ran; the row is brought in line through the lifecycle, whose guards keep
 * a workflow that finishes meanwhile from being overwritten.
 */
export interface ReconcileDeps {
  db: Db;
  temporal: Pick<Client, 'workflow'>;
}

export interface ReconcileOptions {
  /** Rows younger than this are left alone: their workflow may be starting right now. */
  minAgeMs: number;
  /** At most this many rows per environment per sweep, so one sweep stays short. */
  limitPerEnvironment?: number;
}

export type Repair = 'not-started' | 'cancelled' | 'failed' | 'terminated' | 'timed-out' | 'ended-unrecorded';

export interface ReconcileReport {
  checked: number;
  repaired: { exportId: string; repair: Repair }[];
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
  const report: ReconcileReport = { checked: 0, repaired: [] };
  for (const scope of await repo.listEnvironmentScopes(deps.db)) {
    const rows = await repo.findInFlightExportsCreatedBefore(deps.db, scope, createdBefore, options.limitPerEnvironment ?? 100);
    for (const row of rows) {
      report.checked++;
      const repair = await repairOne(deps, scope, row);
      if (repair) report.repaired.push({ exportId: row.id, repair });
    }
  }
  return report;
}

/** Copies the workflow's outcome to the row; null when the workflow still runs (or the row moved on). */
async function repairOne(deps: ReconcileDeps, scope: Scope, row: { id: string; workflow_id: string }): Promise<Repair | null> {
  const outcome = await workflowOutcome(deps, row.workflow_id);
  if (outcome === null) return null;
  const moved =
    outcome === 'cancelled'
      ? await markExportCancelled(deps.db, scope, row.id)
      : await failExport(deps.db, scope, row.id, outcome === 'not-started' ? notStartedSummary : summaries[outcome]);
  return moved ? outcome : null;
}

async function workflowOutcome(deps: ReconcileDeps, workflowId: string): Promise<Repair | null> {
  const handle = deps.temporal.workflow.getHandle(workflowId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'not-started';
    throw error;
  }
  switch (status) {
    case 'CANCELLED':
      return 'cancelled';
    case 'TERMINATED':
      return 'terminated';
    case 'TIMED_OUT':
      return 'timed-out';
    case 'COMPLETED':
      // A completed run records its file before it completes; a row still in flight lost it.
      return 'ended-unrecorded';
    case 'FAILED':
      // A cancel that could not be recorded fails the run; the admin asked for a cancel.
      return (await wasCancelRequested(handle)) ? 'cancelled' : 'failed';
    default:
      // Running (or continued): the workflow will record its own ending.
      return null;
  }
}

async function wasCancelRequested(handle: ReturnType<ReconcileDeps['temporal']['workflow']['getHandle']>): Promise<boolean> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).some((e) => e.workflowExecutionCancelRequestedEventAttributes);
}
