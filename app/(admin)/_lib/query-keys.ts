import type { ExportStatusValue } from '@/lib/exports/export.contracts';

/**
 * Every react-query key of the admin pages in one place, so a mutation can invalidate what
 * it changes. Keys carry the environment id although the API reads it from the session:
 * switching environment must never show the previous environment's cached rows.
 */
export const queryKeys = {
  usersAll: ['users'] as const,
  users: (environmentId: string, search: string, cursor: string | undefined) => ['users', environmentId, { search, cursor }] as const,
  exports: {
    all: ['exports'] as const,
    list: (environmentId: string, filter: { status?: ExportStatusValue; userId?: string }) => ['exports', 'list', environmentId, filter] as const,
    recent: (environmentId: string) => ['exports', 'recent', environmentId] as const,
  },
  bulkExports: {
    all: ['bulk-exports'] as const,
    list: (environmentId: string) => ['bulk-exports', environmentId] as const,
  },
  audit: ['audit'] as const,
  auditLog: (filters: Record<string, string | undefined>) => ['audit', filters] as const,
  health: ['health'] as const,
};
