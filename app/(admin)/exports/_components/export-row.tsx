import Link from 'next/link';
import { type ExportDto, inFlightStatuses } from '@/lib/exports/export.contracts';
import { formatCount, formatDateTime } from '../../_lib/format';
import { ExportActions } from './export-actions';
import { ExportExpiry } from './export-expiry';
import { ExportOptionsSummary } from './export-options-summary';
import { ExportProgress } from './export-progress';
import { ExportTiming } from './export-timing';
import { StatusBadge } from './status-badge';

export function ExportRow({ item, canManage, highlighted = false }: { item: ExportDto; canManage: boolean; highlighted?: boolean }) {
  return (
    <tr id={`export-${item.id}`} className={highlighted ? 'bg-indigo-50 align-top' : 'align-top'} aria-current={highlighted ? 'true' : undefined}>
      <td className="px-4 py-3">
        <Link
          href={`/exports?userId=${item.userId}`}
          className="font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:text-indigo-500 hover:decoration-indigo-500"
          title="Show only this user's exports"
        >
          {item.userEmail}
        </Link>
        <ExportOptionsSummary item={item} />
      </td>
      <td className="px-4 py-3 text-slate-700">{item.requestedBy.email}</td>
      <td className="px-4 py-3 text-slate-600">
        <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
      </td>
      <td className="px-4 py-3">
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
      </td>
      <td className="px-4 py-3">
        <ExportActions item={item} canManage={canManage} />
      </td>
    </tr>
  );
}
