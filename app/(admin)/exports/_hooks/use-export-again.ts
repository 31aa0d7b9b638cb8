import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ExportDto } from '@/lib/exports/export.contracts';
import { apiRequest } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';

function newIdempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** "Export again": a new export of the same user, linked to the failed, cancelled or expired one. */
export async function exportAgain(original: Pick<ExportDto, 'id' | 'userId'>): Promise<{ export: ExportDto; created: boolean }> {
  const { status, body } = await apiRequest<{ export: ExportDto }>(`/api/users/${encodeURIComponent(original.userId)}/exports`, {
    method: 'POST',
    // One key per click, as on the Users page: a replayed request returns its export.
    headers: { 'content-type': 'application/json', 'idempotency-key': `"${newIdempotencyKey()}"` },
    body: JSON.stringify({ retryOf: original.id }),
  });
  return { export: body.export, created: status === 202 };
}

export function useExportAgain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: exportAgain,
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.exports.all }),
  });
}
