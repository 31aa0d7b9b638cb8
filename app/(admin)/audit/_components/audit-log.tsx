'use client';

import { useSearchParams } from 'next/navigation';
import { auditFilterNames } from '@/lib/audit/audit.contracts';
import { useHydrated } from '../../_hooks/use-hydrated';
import { queryString } from '../../_lib/api-fetch';
import type { AuditFilterParams } from '../_hooks/use-audit-log';
import { AuditFilters } from './audit-filters';
import { AuditTable } from './audit-table';

/**
 * Filters live in the URL (`/audit?action=&adminId=&userId=&userEmail=&from=&to=`), so a
 * filtered view is a deep link; the API validates them and its error says what to fix.
 */
export function AuditLog({ admins }: { admins: { id: string; email: string }[] }) {
  const searchParams = useSearchParams();
  const hydrated = useHydrated();
  const filters: AuditFilterParams = Object.fromEntries(
    auditFilterNames.map((name) => [name, searchParams.get(name) || undefined]).filter(([, value]) => value !== undefined),
  );
  const search = queryString(filters);

  function apply(next: AuditFilterParams) {
    const nextSearch = queryString(next);
    // Next's router picks up pushState: useSearchParams re-renders without a server round trip.
    window.history.pushState(null, '', nextSearch || window.location.pathname);
  }

  return (
    <div>
      <AuditFilters filters={filters} admins={admins} onApply={apply} />
      <div className="mt-3 flex flex-wrap items-center gap-4 text-sm">
        <a href={`/api/audit.csv${search}`} className="font-medium text-indigo-700 underline hover:text-indigo-900">
          Download CSV
        </a>
        {search && (
          <button type="button" onClick={() => apply({})} disabled={!hydrated} className="text-slate-700 underline hover:text-slate-900 disabled:opacity-50">
            Clear filters
          </button>
        )}
      </div>
      <AuditTable filters={filters} />
    </div>
  );
}
