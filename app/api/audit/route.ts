import { listAudit } from '@/lib/audit/audit.service';
import { listAuditQuerySchema } from '@/lib/audit/audit.contracts';
import { parseAuditQuery } from '@/lib/audit/audit-query';
import { json, withRoute } from '@/lib/http/with-route';

export const GET = withRoute('GET /api/audit', async ({ request, admin }) =>
  json(await listAudit(admin.tenantId, parseAuditQuery(listAuditQuerySchema, new URL(request.url).searchParams))),
);
