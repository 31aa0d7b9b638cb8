import { checkReadiness } from '@/lib/health/readiness';
import { json, withRoute } from '@/lib/http/with-route';

export const dynamic = 'force-dynamic';

/** Readiness probe: 503 while Postgres or Temporal is unreachable, so the load balancer sends traffic elsewhere. */
export const GET = withRoute('GET /api/health/ready', async () => {
  const readiness = await checkReadiness();
  return json(readiness, { status: readiness.status === 'ready' ? 200 : 503 });
});
