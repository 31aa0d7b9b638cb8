import { reconcileStuckExports, type ReconcileDeps, type ReconcileReport } from '../../lib/exports/export-reconciler';

export interface ReconcileInput {
  /** Rows requested less than this long ago are left alone (their workflow may be starting). */
  minAgeMs: number;
}

/** The reconciler as an activity: it talks to Postgres and to Temporal, which workflows cannot. */
export function createReconcileActivities(deps: ReconcileDeps) {
  return {
    async reconcileExports(input: ReconcileInput): Promise<ReconcileReport> {
      return reconcileStuckExports(deps, { minAgeMs: input.minAgeMs });
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
