import { bulkRequestMaxBytes, listBulkExportsQuerySchema, requestBulkExportBodySchema } from '@/lib/exports/bulk/bulk-export.contracts';
import { listBulkExports, requestBulkExport } from '@/lib/exports/bulk/bulk-export.service';
import { json, withRoute } from '@/lib/http/with-route';
import { countExportRequest } from '@/lib/metrics/export-requests';

export const GET = withRoute({ access: 'signed-in', query: listBulkExportsQuerySchema }, async ({ scope, query }) => json(await listBulkExports(scope, query)));

// 202: the bulk export is accepted and runs in the background; poll its Location.
// Up to 1000 user ids: a larger body than the 16 KiB other routes take.
export const POST = withRoute(
  { access: 'admin-role', body: requestBulkExportBodySchema, maxBodyBytes: bulkRequestMaxBytes },
  async ({ scope, actor, body }) => {
    const bulkExport = await countExportRequest(
      'bulk',
      () => requestBulkExport(scope, actor, body),
      () => 'accepted',
    );
    return json({ bulkExport }, { status: 202, headers: { location: `/api/bulk-exports/${bulkExport.id}` } });
  },
);
