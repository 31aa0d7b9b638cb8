import { exportIdParamsSchema } from '@/lib/exports/export.contracts';
import { downloadUrl } from '@/lib/exports/export.service';
import { withRoute } from '@/lib/http/with-route';

export const GET = withRoute({ access: 'admin-role', params: exportIdParamsSchema }, async ({ scope, admin, params }) => {
  const url = await downloadUrl(scope, admin, params.id);
  return new Response(null, { status: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
});
