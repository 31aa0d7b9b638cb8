import { useQuery } from '@tanstack/react-query';
import { type ExportDto, inFlightStatuses } from '@/lib/exports/export.contracts';
import { apiGet } from '../../_lib/api-fetch';

/** One export by id (the one a mail linked to), polled while it runs. */
export function useExport(environmentId: string, exportId: string) {
  return useQuery({
    queryKey: ['exports', 'one', environmentId, exportId],
    queryFn: async () => (await apiGet<{ export: ExportDto }>(`/api/exports/${encodeURIComponent(exportId)}`)).export,
    retry: false,
    refetchInterval: (query) => (query.state.data && inFlightStatuses.includes(query.state.data.status) ? 1_000 : false),
  });
}
