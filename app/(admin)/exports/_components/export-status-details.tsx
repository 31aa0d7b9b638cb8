import Link from 'next/link';
import { type ExportDto, inFlightStatuses } from '@/lib/exports/export.contracts';
import { formatCount, formatDateTime } from '../../_lib/format';
import { ExportExpiry } from './export-expiry';
import { ExportProgress } from './export-progress';
import { ExportTiming } from './export-timing';
import { StatusBadge } from './status-badge';

/**
 * An export's state as the history row and the linked-export panel both show it: status,
 * live progress, why it failed or who cancelled it, timing, expiry, and what replaced it.
 */
export function ExportStatusDetails({ item }: { item: ExportDto }) {
  return (
    <>
      <StatusBadge status={item.status} />
      {inFlightStatuses.includes(item.status) && <ExportProgress progress={item.progress} label={`Export progress for ${item.userEmail}`} />}
      {item.status === 'failed' && item.errorSummary && <p className="mt-1 max-w-xs text-xs text-red-700">{item.errorSummary}</p>}
      {item.status === 'cancelled' && (
        <p className="mt-1 max-w-xs text-xs text-slate-700">
          Cancelled{item.cancelledBy ? ` by ${item.cancelledBy}` : ''} after {formatCount(item.progress.rowsExported)}
          {item.progress.rowsTotal !== null ? ` of ${formatCount(item.progress.rowsTotal)}` : ''} rows
        </p>
      )}
      <ExportTiming item={item} />
      <ExportExpiry item={item} />
      {item.retriedBy && (
        <p className="mt-1 text-xs text-slate-700">
          Exported again →{' '}
          <Link href={`/exports?userId=${item.userId}#export-${item.retriedBy.id}`} className="font-medium text-indigo-600 underline hover:text-indigo-500">
            {formatDateTime(item.retriedBy.createdAt)}
          </Link>
        </p>
      )}
      {item.notificationError && <p className="mt-1 max-w-xs text-xs text-amber-800">Notification not sent: {item.notificationError}</p>}
    </>
  );
}
