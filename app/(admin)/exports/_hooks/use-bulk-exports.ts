import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type BulkExportDto, bulkInFlightStatuses } from '@/lib/exports/bulk/bulk-export.contracts';
import { apiGet, apiRequest } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';

interface BulkExportsPage {
  bulkExports: BulkExportDto[];
  nextCursor: string | null;
}

// The newest few: older bulk exports stay reachable through the API.
const shown = 10;
// As the history: changes within about 2 s while one runs, a slower poll otherwise.
const busyIntervalMs = 1_000;
const idleIntervalMs = 5_000;

export function bulkExportsQueryOptions(environmentId: string) {
  return queryOptions({
    queryKey: queryKeys.bulkExports.list(environmentId),
    queryFn: () => apiGet<BulkExportsPage>(`/api/bulk-exports?limit=${shown}`),
    refetchInterval: (query) => (query.state.data?.bulkExports.some((b) => bulkInFlightStatuses.includes(b.status)) ? busyIntervalMs : idleIntervalMs),
  });
}

export function useBulkExports(environmentId: string) {
  return useQuery(bulkExportsQueryOptions(environmentId));
}

export function useCancelBulkExport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      (await apiRequest<{ bulkExport: BulkExportDto }>(`/api/bulk-exports/${encodeURIComponent(id)}/cancel`, { method: 'POST' })).body.bulkExport,
    // Refetch on failure too: a 409 means it ended meanwhile.
    onSettled: () =>
      Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.bulkExports.all }), queryClient.invalidateQueries({ queryKey: queryKeys.exports.all })]),
  });
}
