import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BulkExportDto } from '@/lib/exports/bulk/bulk-export.contracts';
import { apiRequest } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';
import type { StartExportOptions } from './use-start-export';

/** The users of a bulk export: those selected, or every user of the environment. */
export type BulkSelection = { userIds: string[] } | { all: true };

/** The users and, as for one export, the format and range (left out: csv of every event). */
export async function startBulkExport(request: BulkSelection & StartExportOptions): Promise<BulkExportDto> {
  const { body } = await apiRequest<{ bulkExport: BulkExportDto }>('/api/bulk-exports', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // Options left undefined drop out of the JSON.
    body: JSON.stringify(request),
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
