import { downloadUrl } from '@/lib/exports/export.service';
import { withRoute } from '@/lib/http/with-route';

// A GET that writes an audit row: a cross-site link must not trigger it (sideEffectOnGet).
// The history's Download link is a plain link: a person who clicks one that cannot work (the
// export expired, a mistyped id) gets a readable page; API clients get the JSON error.
export const GET = withRoute('GET /api/exports/{id}/download', async ({ scope, actor, params }) => {
  const url = await downloadUrl(scope, actor, params.id);
  return new Response(null, { status: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
});
