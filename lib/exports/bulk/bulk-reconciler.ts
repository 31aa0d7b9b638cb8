import type { Db } from '../../db/client';
import type { Scope } from '../../scope';
import { type Repair, type WorkflowReader, workflowOutcome } from '../workflow-outcome';
import { endBulk } from './bulk-children';
import { bulkNotStartedSummary } from './bulk-export-lifecycle';
import * as repo from './bulk-export.repository';

/**
 * The reconciler's rules (export-reconciler.ts) for bulk rows: a bulk row left `queued`
 * (the process died between the commit and the workflow start) or `running` (its workflow
 * was terminated, timed out, or failed to record its ending) takes the ending Temporal
 * knows, through endBulk, so its waiting users end `cancelled` as after any other ending.
 */

// Fixed sentences, like failure-summary.ts: rows are read by every admin of the tenant.
const summaries: Record<Exclude<Repair, 'cancelled'>, string> = {
  'not-started': bulkNotStartedSummary,
  failed: 'The bulk export failed and its outcome could not be recorded at the time. Request it again; if it keeps failing, contact your operator.',
  terminated: 'The bulk export was stopped by an operator. Request it again.',
  'timed-out': 'The bulk export ran out of time. Request it again; if it keeps failing, contact your operator.',
  'ended-unrecorded': 'The bulk export ended without recording its file. Request it again.',
};

export async function reconcileStuckBulkExports(
  deps: { db: Db; temporal: WorkflowReader },
  scope: Scope,
  createdBefore: Date,
  limit: number,
): Promise<{ checked: number; repaired: { bulkExportId: string; repair: Repair }[] }> {
  const rows = await repo.findInFlightBulkExportsCreatedBefore(deps.db, scope, createdBefore, limit);
  const repaired: { bulkExportId: string; repair: Repair }[] = [];
  for (const row of rows) {
    const outcome = await workflowOutcome(deps.temporal, row.workflow_id);
    if (outcome === null) continue;
    const ref = { bulkExportId: row.id, ...scope };
    const moved = await endBulk(deps.db, ref, outcome === 'cancelled' ? { status: 'cancelled' } : { status: 'failed', summary: summaries[outcome] });
    if (moved) repaired.push({ bulkExportId: row.id, repair: outcome });
  }
  return { checked: rows.length, repaired };
}
