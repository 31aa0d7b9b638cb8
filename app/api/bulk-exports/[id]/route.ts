import { bulkExportIdParamsSchema } from '@/lib/exports/bulk/bulk-export.contracts';
import { getBulkExport } from '@/lib/exports/bulk/bulk-export.service';
import { json, withRoute } from '@/lib/http/with-route';

export const GET = withRoute({ access: 'signed-in', params: bulkExportIdParamsSchema }, async ({ scope, params }) =>
  json({ bulkExport: await getBulkExport(scope, params.id) }),
);
