import { defaultExportFormat, type ExportDto, type ExportFormatName, exportFormatNames } from './export.contracts';
import type { ExportView } from './export.repository';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** Row → API shape. `workflowUrl` links to the Temporal Web UI when one is configured. */
export function toExportDto(row: ExportView, temporal: { uiUrl?: string; namespace: string }): ExportDto {
  return {
    id: row.id,
    userId: row.user_id,
    userEmail: row.user_email,
    requestedBy: { id: row.requested_by, email: row.requested_by_email },
    status: row.status,
    progress: { rowsExported: row.rows_exported, rowsTotal: row.rows_total },
    bytes: row.bytes,
    sha256: row.sha256,
    errorSummary: row.error_summary,
    notificationError: row.notification_error,
    workflowId: row.workflow_id,
    workflowUrl: temporal.uiUrl
      ? `${temporal.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(row.workflow_id)}`
      : null,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    expiresAt: iso(row.expires_at),
    retryOf: row.retry_of,
    // A format removed from the code since the row was written reads as the default.
    format: exportFormatNames.includes(row.format as ExportFormatName) ? (row.format as ExportFormatName) : defaultExportFormat,
    range: row.range_from || row.range_to ? { from: iso(row.range_from), to: iso(row.range_to) } : null,
    cancelledBy: row.cancelled_by_email ?? null,
    bulkExportId: row.bulk_export_id,
    retriedBy: row.retried_by_id && row.retried_by_created_at ? { id: row.retried_by_id, createdAt: row.retried_by_created_at.toISOString() } : null,
  };
}
