import { bulkDownloadUrl } from '@/lib/exports/bulk/bulk-export.service';
import { withRoute } from '@/lib/http/with-route';

// Like the single export's download: audited, so refused cross-site; a failed click gets a page.
export const GET = withRoute('GET /api/bulk-exports/{id}/download', async ({ scope, actor, params }) => {
  const url = await bulkDownloadUrl(scope, actor, params.id);
  return new Response(null, { status: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
});
