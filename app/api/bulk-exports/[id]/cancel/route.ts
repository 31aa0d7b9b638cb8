import { cancelBulkExport } from '@/lib/exports/bulk/bulk-export.service';
import { json, withRoute } from '@/lib/http/with-route';

export const POST = withRoute('POST /api/bulk-exports/{id}/cancel', async ({ scope, actor, params }) =>
  json({ bulkExport: await cancelBulkExport(scope, actor, params.id) }, { status: 202 }),
);
