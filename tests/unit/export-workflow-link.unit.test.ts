import { describe, expect, it } from 'vitest';
import { toExportDto } from '../../lib/exports/export.mapper';
import type { ExportView } from '../../lib/exports/export.repository';

/**
 * "View in Temporal" (issue 9 §6): the Temporal Web UI lists every tenant's workflows, so
 * the console links to it only when an operator configured TEMPORAL_UI_URL.
 */
const row = {
  id: '00000000-0000-4000-8000-000000000001',
  user_id: '00000000-0000-4000-8000-000000000002',
  user_email: 'user@acme.example',
  requested_by: '00000000-0000-4000-8000-000000000003',
  requested_by_email: 'admin@acme.test',
  status: 'failed',
  rows_exported: 0,
  rows_total: null,
  bytes: null,
  sha256: null,
  error_summary: null,
  notification_error: null,
  workflow_id: 'export/acme/1',
  created_at: new Date('2026-11-26T10:00:00Z'),
  started_at: null,
  completed_at: null,
  expires_at: null,
  retry_of: null,
  format: 'csv',
  range_from: null,
  range_to: null,
  cancelled_by_email: null,
  bulk_export_id: null,
  retried_by_id: null,
  retried_by_created_at: null,
} as unknown as ExportView;

describe('the Temporal link of an export', () => {
  it('is absent when TEMPORAL_UI_URL is not configured', () => {
    expect(toExportDto(row, { uiUrl: undefined, namespace: 'default' }).workflowUrl).toBeNull();
  });

  it('points at the workflow in the configured UI', () => {
    expect(toExportDto(row, { uiUrl: 'http://temporal-ui.internal:8233/', namespace: 'default' }).workflowUrl).toBe(
      'http://temporal-ui.internal:8233/namespaces/default/workflows/export%2Facme%2F1',
    );
  });
});
