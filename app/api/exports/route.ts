import { listExportsQuerySchema } from '@/lib/exports/export.contracts';
import { listExports } from '@/lib/exports/export.service';
import { json, withRoute } from '@/lib/http/with-route';

export const GET = withRoute({ access: 'signed-in', query: listExportsQuerySchema }, async ({ scope, query }) => json(await listExports(scope, query)));
