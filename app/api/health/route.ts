import { getToken } from 'next-auth/jwt';
import { webEnv } from '@/lib/env';
import { checkHealth } from '@/lib/health/health.service';
import { json, withRoute } from '@/lib/http/with-route';

/**
 * Public: an anonymous caller learns only whether the app is up (200 ok / 503 degraded),
 * a signed-in admin gets each dependency's state for the header's warnings.
 */
export const GET = withRoute('GET /api/health', async ({ request }) => {
  const report = await checkHealth();
  const token = await getToken({ req: request as never, secret: webEnv().NEXTAUTH_SECRET }).catch(() => null);
  const status = report.checks.database.ok && report.checks.temporal.ok && report.checks.storage.ok ? 200 : 503;
  return json(token?.admin ? report : { status: report.status }, { status });
});
