import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ExportDto, ExportFormatName } from '@/lib/exports/export.contracts';
import { apiRequest } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';

export interface StartedExport {
  export: ExportDto;
  /** false when the API answered 200: an existing export of this user was returned. */
  created: boolean;
}

/**
 * 128 random bits as hex. getRandomValues, not randomUUID: the latter exists only in secure
 * contexts, and the console may be reached over plain http inside a private network.
 */
function newIdempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The body of POST /api/users/{userId}/exports; left out entirely for today's export. */
export interface StartExportOptions {
  format?: ExportFormatName;
  /** RFC 3339, inclusive. */
  from?: string;
  /** RFC 3339, exclusive. */
  to?: string;
}

export async function startExport({ userId, options = {} }: { userId: string; options?: StartExportOptions }): Promise<StartedExport> {
  const hasOptions = Object.values(options).some((v) => v !== undefined);
  // One key per click: a retried or replayed request of this click returns its export.
  const { status, body } = await apiRequest<{ export: ExportDto }>(`/api/users/${encodeURIComponent(userId)}/exports`, {
    method: 'POST',
    headers: { 'idempotency-key': `"${newIdempotencyKey()}"`, ...(hasOptions ? { 'content-type': 'application/json' } : {}) },
    body: hasOptions ? JSON.stringify(options) : undefined,
  });
  return { export: body.export, created: status === 202 };
}

export function useStartExport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: startExport,
    // The history, the toast tracker and the user's row should see the new export without waiting a poll.
    onSuccess: () =>
      Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.exports.all }), queryClient.invalidateQueries({ queryKey: queryKeys.usersAll })]),
  });
}
