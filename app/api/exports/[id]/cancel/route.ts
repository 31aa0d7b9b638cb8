import { cancelExport } from '@/lib/exports/export.service';
import { json, withRoute } from '@/lib/http/with-route';

export const POST = withRoute('POST /api/exports/{id}/cancel', async ({ scope, actor, params }) =>
  json({ export: await cancelExport(scope, actor, params.id) }, { status: 202 }),
);
