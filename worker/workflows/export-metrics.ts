import { metricMeter, workflowInfo } from '@temporalio/workflow';
import type { UserExportInput } from '../../lib/exports/export.contracts';

/**
 * The export outcome counters and end-to-end duration, counted in the workflow: once per
 * export whatever its attempts, and never again when a history is replayed (the SDK drops
 * workflow metrics during replay). Labels stay bounded: tenant id and format, never a user
 * id. Created on use: the meter belongs to the running workflow, not to module load.
 */
export type ExportEnding = 'completed' | 'failed' | 'cancelled';

const endingDescriptions: Record<ExportEnding, string> = {
  completed: 'User exports that ended with a file',
  failed: 'User exports that ended failed after their retries',
  cancelled: 'User exports cancelled before they ended',
};

const tagsOf = (input: UserExportInput) => ({ tenant: input.tenantId, format: input.format ?? 'csv' });

export function countExportStarted(input: UserExportInput): void {
  metricMeter.createCounter('exports_started', undefined, 'User exports started').add(1, tagsOf(input));
}

export function countExportEnded(input: UserExportInput, ending: ExportEnding): void {
  metricMeter.createCounter(`exports_${ending}`, undefined, endingDescriptions[ending]).add(1, tagsOf(input));
  metricMeter
    .createHistogram('export_duration_seconds', 'float', 's', 'User export time from workflow start to its ending')
    .record((Date.now() - workflowInfo().startTime.getTime()) / 1000, { ...tagsOf(input), outcome: ending });
}

/**
 * Bulk exports: started once (the first run, not each continue-as-new) and ended once. Their
 * users' exports are counted by UserExportWorkflow like any other.
 */
export function countBulkExport(tenantId: string, event: 'started' | ExportEnding): void {
  metricMeter.createCounter(`bulk_exports_${event}`, undefined, `Bulk exports ${event}`).add(1, { tenant: tenantId });
}
