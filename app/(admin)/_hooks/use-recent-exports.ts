import { queryOptions, useQuery } from '@tanstack/react-query';
import type { ExportDto } from '@/lib/exports/export.contracts';
import { apiGet } from '../_lib/api-fetch';
import { queryKeys } from '../_lib/query-keys';

// The toasts only need the newest exports; 2 s keeps "finished" notices prompt anywhere.
const recentLimit = 20;
const pollMs = 2_000;

export function getRecentExports(): Promise<{ exports: ExportDto[] }> {
  return apiGet<{ exports: ExportDto[] }>(`/api/exports?limit=${recentLimit}`);
}

export function recentExportsQueryOptions(environmentId: string) {
  return queryOptions({
    queryKey: queryKeys.exports.recent(environmentId),
    queryFn: getRecentExports,
    refetchInterval: pollMs,
  });
}

export function useRecentExports(environmentId: string) {
  return useQuery(recentExportsQueryOptions(environmentId));
}
