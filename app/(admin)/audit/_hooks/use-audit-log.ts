import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { AuditEntryDto } from '@/lib/audit/audit.service';
import { apiGet, queryString } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';

export interface AuditPage {
  entries: AuditEntryDto[];
  nextCursor: string | null;
}

const pageSize = 20;

export function getAuditLog(cursor: string | undefined): Promise<AuditPage> {
  return apiGet<AuditPage>(`/api/audit${queryString({ cursor, limit: pageSize })}`);
}

export function auditLogQueryOptions() {
  return infiniteQueryOptions({
    // The audit log is tenant-wide (sign-ins have no environment): no environment in the key.
    queryKey: queryKeys.audit,
    queryFn: ({ pageParam }) => getAuditLog(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useAuditLog() {
  return useInfiniteQuery(auditLogQueryOptions());
}
