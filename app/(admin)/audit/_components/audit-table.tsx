'use client';

import { ApiErrorAlert } from '../../_components/api-error-alert';
import { formatDateTime, shortUserAgent } from '../../_lib/format';
import { type AuditFilterParams, useAuditLog } from '../_hooks/use-audit-log';
import { actionLabels } from './action-labels';

export function AuditTable({ filters }: { filters: AuditFilterParams }) {
  const audit = useAuditLog(filters);
  const entries = audit.data?.pages.flatMap((page) => page.entries) ?? [];

  return (
    <div className="mt-4">
      {audit.isError && <ApiErrorAlert error={audit.error} />}
      {audit.isPending && <p className="text-sm text-slate-500">Loading the audit log…</p>}
      {audit.isSuccess && (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-slate-600">
              <tr>
                {/* On a phone, admin, user and origin move under the action. */}
                <th scope="col" className="px-3 py-2 font-medium sm:px-4">
                  Action
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium sm:table-cell">
                  Admin
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium sm:table-cell">
                  User
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium md:table-cell">
                  From
                </th>
                <th scope="col" className="px-3 py-2 font-medium sm:px-4">
                  Time
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td className="px-3 py-2 sm:px-4">
                    <span className="font-medium">{actionLabels[entry.action] ?? entry.action}</span>
                    <span className="mt-0.5 block text-xs text-slate-600 wrap-anywhere sm:hidden">
                      {entry.admin ? entry.admin.email : 'System (retention)'}
                      {entry.userEmail ? ` → ${entry.userEmail}` : ''}
                    </span>
                  </td>
                  <td className="hidden px-4 py-2 text-slate-700 sm:table-cell">
                    {entry.admin ? entry.admin.email : <span className="italic text-slate-600">System (retention)</span>}
                  </td>
                  <td className="hidden px-4 py-2 text-slate-700 sm:table-cell">{entry.userEmail ?? '—'}</td>
                  {/* The full user agent is one hover away; the cell stays short. */}
                  <td className="hidden px-4 py-2 text-slate-600 md:table-cell" title={entry.userAgent ?? undefined}>
                    <span className="font-mono text-xs">{entry.clientAddress ?? '—'}</span>
                    <span className="block text-xs text-slate-500">{shortUserAgent(entry.userAgent)}</span>
                  </td>
                  <td className="px-3 py-2 text-slate-600 sm:px-4">
                    <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length === 0 && (
            <p className="px-4 py-6 text-center text-sm text-slate-500">
              {Object.keys(filters).length ? 'No entries match these filters.' : 'Nothing recorded yet.'}
            </p>
          )}
        </div>
      )}
      {audit.hasNextPage && (
        <div className="mt-4 flex justify-center">
          <button
            type="button"
            onClick={() => void audit.fetchNextPage()}
            disabled={audit.isFetchingNextPage}
            aria-busy={audit.isFetchingNextPage}
            className="rounded-md border border-slate-300 bg-white px-4 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-50"
          >
            Load more
          </button>
        </div>
      )}
    </div>
  );
}
