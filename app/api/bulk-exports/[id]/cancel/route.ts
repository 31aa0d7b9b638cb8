import { bulkExportIdParamsSchema } from '@/lib/exports/bulk/bulk-export.contracts';
import { cancelBulkExport } from '@/lib/exports/bulk/bulk-export.service';
import { json, withRoute } from '@/lib/http/with-route';

export const POST = withRoute({ access: 'admin-role', params: bulkExportIdParamsSchema }, async ({ scope, actor, params }) =>
  json({ bulkExport: await cancelBulkExport(scope, actor, params.id) }, { status: 202 }),
);
