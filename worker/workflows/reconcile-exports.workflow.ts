import { proxyActivities } from '@temporalio/workflow';
import type { ReconcileReport } from '../../lib/exports/export-reconciler';
import type { ReconcileActivities, ReconcileInput } from '../activities/reconcile.activities';

// One sweep is a few queries per environment; the next scheduled run retries anything missed.
const { reconcileExports } = proxyActivities<ReconcileActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 2, initialInterval: '5 seconds' },
});

/** Started by the `reconcile-exports` Schedule (worker/schedules.ts) about once a minute. */
export async function ReconcileExportsWorkflow(input: ReconcileInput): Promise<ReconcileReport> {
  return reconcileExports(input);
}
