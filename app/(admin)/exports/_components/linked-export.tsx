'use client';

import { formatDateTime } from '../../_lib/format';
import { ApiError } from '../../_lib/api-fetch';
import { ApiErrorAlert } from '../../_components/api-error-alert';
import { useExport } from '../_hooks/use-export';
import { ExportActions } from './export-actions';
import { ExportOptionsSummary } from './export-options-summary';
import { ExportStatusDetails } from './export-status-details';

/**
 * The export a mail linked to (`/exports?export=<id>`), shown above the history whatever
 * page of it the export is on.
 */
export function LinkedExport({ environmentId, exportId, canManage }: { environmentId: string; exportId: string; canManage: boolean }) {
  const linked = useExport(environmentId, exportId);
  if (linked.isPending) return <p className="mt-4 text-sm text-slate-500">Loading the linked export…</p>;
  if (linked.isError) {
    const notHere = linked.error instanceof ApiError && (linked.error.status === 404 || linked.error.status === 400);
    return notHere ? (
      <p role="status" className="mt-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
        The linked export is not in this environment. Switch environment in the header to see it.
      </p>
    ) : (
      <ApiErrorAlert error={linked.error} className="mt-4" />
    );
  }
  const item = linked.data;
  return (
    <section
      aria-labelledby="linked-export-heading"
      data-testid="linked-export"
      className="mt-4 rounded-lg border-2 border-indigo-300 bg-indigo-50 p-4 text-sm"
    >
      <h2 id="linked-export-heading" className="font-semibold">
        Export of <span className="wrap-anywhere">{item.userEmail}</span>
      </h2>
      <ExportOptionsSummary item={item} />
      <p className="mt-1 text-slate-700">
        Requested by {item.requestedBy.email} at <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
      </p>
      <div className="mt-2">
        <ExportStatusDetails item={item} />
      </div>
      <div className="mt-3">
        <ExportActions item={item} canManage={canManage} />
      </div>
    </section>
  );
}
