import { Readable } from 'node:stream';
import { exportAuditCsv } from '@/lib/audit/audit-csv';
import { auditFilterSchema } from '@/lib/audit/audit.contracts';
import { parseAuditQuery } from '@/lib/audit/audit-query';
import { getDb } from '@/lib/db/web-db';
import { withRoute } from '@/lib/http/with-route';

// Audited on GET, so the route list marks it sideEffectOnGet: refused cross-site.
export const GET = withRoute('GET /api/audit.csv', async ({ request, scope, actor }) => {
  const { fileName, stream } = await exportAuditCsv(getDb(), scope, actor, parseAuditQuery(auditFilterSchema, new URL(request.url).searchParams));
  const headers = { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename=${fileName}`, 'cache-control': 'no-store' };
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { headers });
});
