import { userIdParamsSchema } from '@/lib/exports/export.contracts';
import { requestExport } from '@/lib/exports/export.service';
import { json, withRoute } from '@/lib/http/with-route';

export const POST = withRoute({ access: 'admin-role', params: userIdParamsSchema }, async ({ scope, actor, params }) => {
  const { export: exp, created } = await requestExport(scope, actor, params.userId);
  // 202: accepted and running in the background; 200: the export already in flight.
  return json({ export: exp }, { status: created ? 202 : 200, headers: { location: `/api/exports/${exp.id}` } });
});
