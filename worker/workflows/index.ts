// The workflow bundle's entry: every workflow the worker registers.
export { BulkExportWorkflow } from './bulk-export.workflow';
export { HealthCheckWorkflow } from './health.workflow';
export { ReconcileExportsWorkflow } from './reconcile-exports.workflow';
export { RetentionSweepWorkflow } from './retention-sweep.workflow';
export { UserExportWorkflow } from './user-export.workflow';
