import type { MetricMeter } from '@temporalio/common';
import type { ExportFileResult, UserExportInput } from '../../lib/exports/export.contracts';

/**
 * What one successful export attempt wrote: rows, bytes and its pace. Only the attempt whose
 * file the export kept counts, so the totals match the completed exports' files. Labels as
 * the workflow's counters (worker/workflows/export-metrics.ts): tenant id and format.
 */
export function recordExportAttempt(meter: MetricMeter, input: UserExportInput, file: Pick<ExportFileResult, 'rows' | 'bytes'>, seconds: number): void {
  const tags = { tenant: input.tenantId, format: input.format ?? 'csv' };
  meter.createCounter('export_rows_written', undefined, 'Rows written into kept export files').add(file.rows, tags);
  meter.createCounter('export_bytes_written', 'By', 'Bytes of kept export files uploaded to S3').add(file.bytes, tags);
  if (seconds > 0)
    meter.createHistogram('export_rows_per_second', 'float', undefined, 'Rows per second of each kept export attempt').record(file.rows / seconds, tags);
}
