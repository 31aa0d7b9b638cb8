import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { AuditEntryDto } from '@/lib/audit/audit.contracts';
import { apiGet, queryString } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';

export interface AuditPage {
  entries: AuditEntryDto[];
  nextCursor: string | null;
}

/** The filters as the URL carries them (`?action=&adminId=&userId=&userEmail=&from=&to=`). */
export type AuditFilterParams = Partial<Record<'action' | 'adminId' | 'userId' | 'userEmail' | 'from' | 'to', string>>;

const pageSize = 20;

export function getAuditLog(filters: AuditFilterParams, cursor: string | undefined): Promise<AuditPage> {
  return apiGet<AuditPage>(`/api/audit${queryString({ ...filters, cursor, limit: pageSize })}`);
}

export function auditLogQueryOptions(filters: AuditFilterParams) {
  return infiniteQueryOptions({
    // The audit log is tenant-wide (sign-ins have no environment): no environment in the key.
    queryKey: queryKeys.auditLog(filters),
    queryFn: ({ pageParam }) => getAuditLog(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useAuditLog(filters: AuditFilterParams) {
  return useInfiniteQuery(auditLogQueryOptions(filters));
}
