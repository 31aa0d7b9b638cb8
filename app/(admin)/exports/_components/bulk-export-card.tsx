'use client';

import { type BulkExportDto, bulkInFlightStatuses } from '@/lib/exports/bulk/bulk-export.contracts';
import { exportFormatCatalog } from '@/lib/exports/export.contracts';
import { ApiErrorAlert } from '../../_components/api-error-alert';
import { useHydrated } from '../../_hooks/use-hydrated';
import { formatBytes, formatCount, formatDateTime } from '../../_lib/format';
import { useCancelBulkExport } from '../_hooks/use-bulk-exports';
import { CancelWithConfirm } from './cancel-with-confirm';
import { describeRange } from './export-options-summary';
import { StatusBadge } from './status-badge';

const viewerHint = "Viewers can't download or cancel bulk exports; ask an admin.";

/** Users finished (done, failed or cancelled) of total, as one bar; rows done of total beside it. */
function BulkProgress({ item, label }: { item: BulkExportDto; label: string }) {
  const { usersTotal, usersDone, usersFailed, usersCancelled, rowsDone, rowsTotal } = item.progress;
  const finished = usersDone + usersFailed + usersCancelled;
  const percent = usersTotal > 0 ? Math.floor((finished / usersTotal) * 100) : 0;
  const users = `${formatCount(usersDone)} of ${formatCount(usersTotal)} users done${usersFailed > 0 ? `, ${formatCount(usersFailed)} failed` : ''}`;
  const rows = rowsTotal === null ? `${formatCount(rowsDone)} rows` : `${formatCount(rowsDone)} of ${formatCount(rowsTotal)} rows`;
  return (
    <div className="mt-2 w-full max-w-md">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${users}; ${rows}`}
        className="h-2 overflow-hidden rounded-full bg-slate-200"
      >
        <div className="h-full bg-indigo-500 transition-[width] duration-500" style={{ width: `${percent}%` }} />
      </div>
      <p className="mt-1 text-xs tabular-nums text-slate-600">
        {users} · {rows}
      </p>
    </div>
  );
}

/** One bulk export: status, aggregate progress, Cancel while it runs, Download when done, and its failures. */
export function BulkExportCard({ item, canManage }: { item: BulkExportDto; canManage: boolean }) {
  const hydrated = useHydrated();
  const cancel = useCancelBulkExport();
  const inFlight = bulkInFlightStatuses.includes(item.status);
  const cancelling = inFlight && (cancel.isPending || cancel.isSuccess);
  const title = `${item.all ? 'All users' : 'Selected users'} (${formatCount(item.progress.usersTotal)})`;
  const expired = item.expiresAt !== null && Date.parse(item.expiresAt) <= Date.now();
  return (
    <li id={`bulk-export-${item.id}`} className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h3 className="font-medium text-slate-900">Bulk export · {title}</h3>
        <StatusBadge status={item.status} />
      </div>
      <p className="mt-1 text-xs text-slate-600 wrap-anywhere">
        by {item.requestedBy.email}, <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time> · {exportFormatCatalog[item.format].label} ·{' '}
        {describeRange(item.range)}
      </p>
      <BulkProgress item={item} label={`Bulk export progress, ${title}`} />
      {item.errorSummary && <p className="mt-1 text-xs text-red-700">{item.errorSummary}</p>}
      <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1">
        {item.status === 'completed' &&
          (expired ? (
            <span className="text-slate-500">Expired</span>
          ) : canManage ? (
            <a
              href={`/api/bulk-exports/${item.id}/download`}
              className="font-medium text-indigo-600 underline hover:text-indigo-500"
              aria-label={`Download bulk export, ${title}`}
            >
              Download
            </a>
          ) : (
            <span className="text-slate-500" title={viewerHint}>
              Admins can download
            </span>
          ))}
        {item.status === 'completed' && item.bytes !== null && <span className="text-xs text-slate-600">{formatBytes(item.bytes)}</span>}
        {inFlight && (
          <CancelWithConfirm
            cancelling={cancelling}
            disabled={!hydrated || !canManage}
            hint={canManage ? undefined : viewerHint}
            label={`Cancel bulk export, ${title}`}
            confirm={{
              title: 'Cancel this bulk export?',
              description: `Every export it is running stops, the ${formatCount(item.progress.usersTotal - item.progress.usersDone - item.progress.usersFailed)} users not done yet are not exported, and no ZIP is written.`,
              confirmLabel: 'Cancel bulk export',
            }}
            onCancel={() => cancel.mutate(item.id)}
          />
        )}
      </div>
      {item.failures.length > 0 && (
        <div className="mt-3">
          <h4 className="text-xs font-medium text-red-800">Failed users ({formatCount(item.progress.usersFailed)})</h4>
          <ul className="mt-1 space-y-1 text-xs text-slate-700">
            {item.failures.map((f) => (
              <li key={f.userId} className="wrap-anywhere">
                <span className="font-medium">{f.userEmail}</span>: {f.summary}
              </li>
            ))}
          </ul>
        </div>
      )}
      {cancel.isError && <ApiErrorAlert error={cancel.error} className="mt-2 text-xs" />}
    </li>
  );
}
