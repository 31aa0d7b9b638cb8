import { exportOptionsOf, requestExport } from '@/lib/exports/export.service';
import { readIdempotencyKey } from '@/lib/http/idempotency-key';
import { json, withRoute } from '@/lib/http/with-route';
import { countExportRequest } from '@/lib/metrics/export-requests';

// The body is optional: none, or `{}`, is a plain export; `{ format, from, to }` choose the
// format and a range; `{ "retryOf": id }` exports again with that export's options.
export const POST = withRoute('POST /api/users/{userId}/exports', async ({ request, scope, actor, params, body }) => {
  const idempotencyKey = readIdempotencyKey(request.headers);
  const { export: exp, created } = await countExportRequest(
    'user',
    () => requestExport(scope, actor, params.userId, { idempotencyKey, retryOf: body.retryOf, exportOptions: exportOptionsOf(body) }),
    (result) => (result.created ? 'accepted' : 'deduplicated'),
  );
  // 202: accepted and running in the background; 200: an existing export (in flight, just
  // finished within the dedupe window, or the one this Idempotency-Key produced).
  return json({ export: exp }, { status: created ? 202 : 200, headers: { location: `/api/exports/${exp.id}` } });
});
