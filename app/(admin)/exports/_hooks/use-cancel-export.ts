import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ExportDto } from '@/lib/exports/export.contracts';
import { apiRequest } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';

export async function cancelExport(exportId: string): Promise<ExportDto> {
  const { body } = await apiRequest<{ export: ExportDto }>(`/api/exports/${encodeURIComponent(exportId)}/cancel`, { method: 'POST' });
  return body.export;
}

export function useCancelExport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: cancelExport,
    // Refetch on failure too: a 409 means the export ended meanwhile, so show how.
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.exports.all }),
  });
}
