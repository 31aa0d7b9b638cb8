import { listBulkExports, requestBulkExport } from '@/lib/exports/bulk/bulk-export.service';
import { json, withRoute } from '@/lib/http/with-route';
import { countExportRequest } from '@/lib/metrics/export-requests';

export const GET = withRoute('GET /api/bulk-exports', async ({ scope, query }) => json(await listBulkExports(scope, query)));

// 202: the bulk export is accepted and runs in the background; poll its Location.
export const POST = withRoute('POST /api/bulk-exports', async ({ scope, actor, body }) => {
  const bulkExport = await countExportRequest(
    'bulk',
    () => requestBulkExport(scope, actor, body),
    () => 'accepted',
  );
  return json({ bulkExport }, { status: 202, headers: { location: `/api/bulk-exports/${bulkExport.id}` } });
});
