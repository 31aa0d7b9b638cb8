import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { inFlightStatuses } from '@/lib/exports/export.contracts';
import type { UserDto } from '@/lib/users/user.contracts';
import { apiGet, queryString } from '../../_lib/api-fetch';
import { queryKeys } from '../../_lib/query-keys';

export const usersPageSize = 20;
// While an export of a user on the page runs, its row shows progress as /exports does.
const busyIntervalMs = 1_000;

export interface UsersPage {
  users: UserDto[];
  nextCursor: string | null;
}

export function getUsers(search: string, cursor: string | undefined): Promise<UsersPage> {
  return apiGet<UsersPage>(`/api/users${queryString({ search, cursor, limit: usersPageSize })}`);
}

export function usersQueryOptions(environmentId: string, search: string, cursor: string | undefined) {
  return queryOptions({
    queryKey: queryKeys.users(environmentId, search, cursor),
    queryFn: () => getUsers(search, cursor),
    // Keep the current rows on screen while the next page or search result loads.
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (hasExportInFlight(query.state.data) ? busyIntervalMs : false),
  });
}

export function hasExportInFlight(page: UsersPage | undefined): boolean {
  return page?.users.some((u) => u.latestExport !== null && inFlightStatuses.includes(u.latestExport.status)) ?? false;
}

export function useUsers(environmentId: string, search: string, cursor: string | undefined) {
  return useQuery(usersQueryOptions(environmentId, search, cursor));
}
