import { getBulkExport } from '@/lib/exports/bulk/bulk-export.service';
import { json, withRoute } from '@/lib/http/with-route';

export const GET = withRoute('GET /api/bulk-exports/{id}', async ({ scope, params }) => json({ bulkExport: await getBulkExport(scope, params.id) }));
