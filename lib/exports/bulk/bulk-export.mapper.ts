import { defaultExportFormat, type ExportFormatName, exportFormatNames } from '../export.contracts';
import type { BulkExportDto } from './bulk-export.contracts';
import type { BulkExportView } from './bulk-export.repository';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/**
 * Row → API shape. Rows done: the finished users' rows (kept on the row) plus what the
 * exports running now have written, so the bar moves while a large user streams.
 */
export function toBulkExportDto(
  row: BulkExportView,
  extra: { liveRows: number; failures: { user_id: string; user_email: string; export_id: string | null; error_summary: string | null }[] },
): BulkExportDto {
  return {
    id: row.id,
    status: row.status,
    all: row.all_users,
    requestedBy: { id: row.requested_by, email: row.requested_by_email },
    format: exportFormatNames.includes(row.format as ExportFormatName) ? (row.format as ExportFormatName) : defaultExportFormat,
    range: row.range_from || row.range_to ? { from: iso(row.range_from), to: iso(row.range_to) } : null,
    progress: {
      usersTotal: row.users_total,
      usersDone: row.users_done,
      usersFailed: row.users_failed,
      usersCancelled: row.users_cancelled,
      rowsDone: row.rows_done + extra.liveRows,
      rowsTotal: row.rows_total,
    },
    failures: extra.failures.map((f) => ({
      userId: f.user_id,
      userEmail: f.user_email,
      exportId: f.export_id,
      summary: f.error_summary ?? 'The export failed.',
    })),
    bytes: row.bytes,
    sha256: row.sha256,
    errorSummary: row.error_summary,
    workflowId: row.workflow_id,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    expiresAt: iso(row.expires_at),
  };
}
