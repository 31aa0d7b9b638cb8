import { listExports } from '@/lib/exports/export.service';
import { json, withRoute } from '@/lib/http/with-route';

export const GET = withRoute('GET /api/exports', async ({ scope, query }) => json(await listExports(scope, query)));
