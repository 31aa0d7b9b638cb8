import { exportIdParamsSchema } from '@/lib/exports/export.contracts';
import { cancelExport } from '@/lib/exports/export.service';
import { json, withRoute } from '@/lib/http/with-route';

export const POST = withRoute({ access: 'admin-role', params: exportIdParamsSchema }, async ({ scope, actor, params }) =>
  json({ export: await cancelExport(scope, actor, params.id) }, { status: 202 }),
);
