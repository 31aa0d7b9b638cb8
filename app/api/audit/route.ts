import { listAudit } from '@/lib/audit/audit.service';
import { pageQuerySchema } from '@/lib/http/pagination.contracts';
import { json, withRoute } from '@/lib/http/with-route';

export const GET = withRoute({ access: 'admin-role', query: pageQuerySchema }, async ({ admin, query }) =>
  json(await listAudit(admin.tenantId, query)),
);
