'use client';

import { useSearchParams } from 'next/navigation';
import { type ExportStatusValue, exportStatuses } from '@/lib/exports/export.contracts';
import { ApiErrorAlert } from '../../_components/api-error-alert';
import { type ExportsFilter, useExports } from '../_hooks/use-exports';
import { ExportFilters } from './export-filters';
import { ExportRow } from './export-row';
import { LinkedExport } from './linked-export';

interface Props {
  environmentId: string;
  canManage: boolean;
}

const isStatus = (value: string | null): value is ExportStatusValue => exportStatuses.includes(value as ExportStatusValue);

/** Filters live in the URL (`?status=&userId=`) so a filtered view can be linked and reloaded. */
function setFilterParam(name: 'status' | 'userId', value: string | undefined): void {
  const params = new URLSearchParams(window.location.search);
  if (value) params.set(name, value);
  else params.delete(name);
  const search = params.toString();
  // Next's router picks up pushState: useSearchParams re-renders without a server round trip.
  window.history.pushState(null, '', search ? `?${search}` : window.location.pathname);
}

export function ExportsHistory({ environmentId, canManage }: Props) {
  const searchParams = useSearchParams();
  const statusParam = searchParams.get('status');
  const filter: ExportsFilter = {
    status: isStatus(statusParam) ? statusParam : undefined,
    userId: searchParams.get('userId') || undefined,
  };
  // `?export=<id>`: the export a notification mail links to.
  const linkedId = searchParams.get('export');
  const exports = useExports(environmentId, filter);
  const rows = exports.data?.pages.flatMap((page) => page.exports) ?? [];
  const filteredEmail = filter.userId ? (rows.find((e) => e.userId === filter.userId)?.userEmail ?? null) : null;

  return (
    <div>
      <ExportFilters
        status={filter.status}
        onStatusChange={(status) => setFilterParam('status', status)}
        user={filter.userId ? { id: filter.userId, email: filteredEmail } : undefined}
        onClearUser={() => setFilterParam('userId', undefined)}
      />
      {linkedId && <LinkedExport environmentId={environmentId} exportId={linkedId} canManage={canManage} />}
      {exports.isError && <ApiErrorAlert error={exports.error} className="mt-4" />}
      {exports.isPending && <p className="mt-4 text-sm text-slate-500">Loading exports…</p>}
      {exports.isSuccess && (
        <div className="mt-4 overflow-x-auto rounded-lg border border-slate-200 bg-white">
          {/* On a phone each row is a card: the user on top, status and result side by side below. */}
          <table className="w-full text-left text-sm max-sm:block">
            <thead className="bg-slate-50 text-slate-600 max-sm:sr-only">
              <tr>
                {/* On a phone, who requested it and when move under the user (export-row.tsx). */}
                <th scope="col" className="px-3 py-2 font-medium sm:px-4">
                  User
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium sm:table-cell">
                  Requested by
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium sm:table-cell">
                  Requested at
                </th>
                <th scope="col" className="px-3 py-2 font-medium sm:px-4">
                  Status
                </th>
                <th scope="col" className="px-3 py-2 font-medium sm:px-4">
                  Result
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 max-sm:block">
              {rows.map((item) => (
                <ExportRow key={item.id} item={item} canManage={canManage} highlighted={item.id === linkedId} />
              ))}
            </tbody>
          </table>
          {rows.length === 0 && (
            <p className="px-4 py-6 text-center text-sm text-slate-500">
              {filter.status || filter.userId ? 'No exports match these filters.' : 'No exports yet: start one from the Users page.'}
            </p>
          )}
        </div>
      )}
      {exports.hasNextPage && (
        <div className="mt-4 flex justify-center">
          <button
            type="button"
            onClick={() => void exports.fetchNextPage()}
            disabled={exports.isFetchingNextPage}
            aria-busy={exports.isFetchingNextPage}
            className="rounded-md border border-slate-300 bg-white px-4 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-50"
          >
            Load more
          </button>
        </div>
      )}
    </div>
  );
}
