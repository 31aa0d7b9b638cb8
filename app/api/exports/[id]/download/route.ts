import { isAppError } from '@/lib/errors';
import { exportIdParamsSchema } from '@/lib/exports/export.contracts';
import { downloadUrl } from '@/lib/exports/export.service';
import { goneDownloadPage, isDocumentNavigation } from '@/lib/http/gone-page';
import { withRoute } from '@/lib/http/with-route';

// A GET that writes an audit row: a cross-site link must not trigger it (sideEffectOnGet).
export const GET = withRoute({ access: 'admin-role', params: exportIdParamsSchema, sideEffectOnGet: true }, async ({ request, scope, actor, params }) => {
  try {
    const url = await downloadUrl(scope, actor, params.id);
    return new Response(null, { status: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
  } catch (error) {
    // The history's Download link is a plain link: a person who clicks it on an export that
    // just expired gets a readable 410 page, API clients the JSON error.
    if (isAppError(error) && error.code === 'gone' && isDocumentNavigation(request)) return goneDownloadPage(error);
    throw error;
  }
});
