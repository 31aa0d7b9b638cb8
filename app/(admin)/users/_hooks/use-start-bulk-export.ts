import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BulkExportDto } from '@/lib/exports/bulk/bulk-export.contracts';
import { apiRequest } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';

/** The users of a bulk export: those selected, or every user of the environment. */
export type BulkSelection = { userIds: string[] } | { all: true };

export async function startBulkExport(selection: BulkSelection): Promise<BulkExportDto> {
  const { body } = await apiRequest<{ bulkExport: BulkExportDto }>('/api/bulk-exports', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(selection),
  });
  return body.bulkExport;
}

export function useStartBulkExport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: startBulkExport,
    onSuccess: () =>
      Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.bulkExports.all }), queryClient.invalidateQueries({ queryKey: queryKeys.exports.all })]),
  });
}
