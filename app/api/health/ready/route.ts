import { checkReadiness } from '@/lib/health/readiness';
import { json } from '@/lib/http/with-route';

export const dynamic = 'force-dynamic';

/** Readiness probe: 503 while Postgres or Temporal is unreachable, so the load balancer sends traffic elsewhere. */
export async function GET(): Promise<Response> {
  const readiness = await checkReadiness();
  return json(readiness, { status: readiness.status === 'ready' ? 200 : 503 });
}
