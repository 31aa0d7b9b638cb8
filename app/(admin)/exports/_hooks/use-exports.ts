import { type InfiniteData, infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { type ExportDto, type ExportStatusValue, inFlightStatuses } from '@/lib/exports/export.contracts';
import { apiGet, queryString } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';

export interface ExportsPage {
  exports: ExportDto[];
  nextCursor: string | null;
}

export interface ExportsFilter {
  status?: ExportStatusValue;
  userId?: string;
}

const pageSize = 20;
// While something runs the page must show changes within about 2 s (SPEC §7); otherwise a
// slower poll still picks up exports started elsewhere (another tab, another admin).
const busyIntervalMs = 1_000;
const idleIntervalMs = 5_000;

export function getExports(filter: ExportsFilter, cursor: string | undefined): Promise<ExportsPage> {
  return apiGet<ExportsPage>(`/api/exports${queryString({ ...filter, cursor, limit: pageSize })}`);
}

export function hasExportInFlight(data: InfiniteData<ExportsPage> | undefined): boolean {
  return data?.pages.some((page) => page.exports.some((e) => inFlightStatuses.includes(e.status))) ?? false;
}

export function exportsQueryOptions(environmentId: string, filter: ExportsFilter) {
  return infiniteQueryOptions({
    queryKey: queryKeys.exports.list(environmentId, filter),
    queryFn: ({ pageParam }) => getExports(filter, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (query) => (hasExportInFlight(query.state.data) ? busyIntervalMs : idleIntervalMs),
  });
}

export function useExports(environmentId: string, filter: ExportsFilter) {
  return useInfiniteQuery(exportsQueryOptions(environmentId, filter));
}
