import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ExportDto } from '@/lib/exports/export.contracts';
import { apiRequest } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';

export interface StartedExport {
  export: ExportDto;
  /** false when the API answered 200: an export of this user was already in flight. */
  created: boolean;
}

export async function startExport(userId: string): Promise<StartedExport> {
  const { status, body } = await apiRequest<{ export: ExportDto }>(`/api/users/${encodeURIComponent(userId)}/exports`, { method: 'POST' });
  return { export: body.export, created: status === 202 };
}

export function useStartExport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: startExport,
    // The history and the toast tracker should see the new export without waiting a poll.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.exports.all }),
  });
}
