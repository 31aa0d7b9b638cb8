import { queryOptions, useQuery } from '@tanstack/react-query';
import type { HealthReport } from '@/lib/health/health.contracts';
import { ApiError } from '../_lib/api-fetch';
import { queryKeys } from '../_lib/query-keys';

// Worker liveness is judged by Temporal's last poll time; 10 s is plenty for a banner.
const pollMs = 10_000;

/** /api/health answers 503 when a dependency is down, with the same report: read it either way. */
export async function getHealth(): Promise<HealthReport> {
  const response = await fetch('/api/health', { credentials: 'same-origin', cache: 'no-store' });
  const body = (await response.json().catch(() => null)) as Partial<HealthReport> | null;
  if (body?.checks) return body as HealthReport;
  throw new ApiError(response.status, 'unavailable', 'Health check failed', 'Reload the page; if it persists, the server is down.', null);
}

export function healthQueryOptions() {
  return queryOptions({ queryKey: queryKeys.health, queryFn: getHealth, refetchInterval: pollMs, retry: false });
}

export function useHealth() {
  return useQuery(healthQueryOptions());
}
