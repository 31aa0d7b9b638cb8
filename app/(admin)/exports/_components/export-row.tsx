import Link from 'next/link';
import type { ExportDto } from '@/lib/exports/export.contracts';
import { formatDateTime } from '../../_lib/format';
import { ExportActions } from './export-actions';
import { ExportOptionsSummary } from './export-options-summary';
import { ExportStatusDetails } from './export-status-details';

export function ExportRow({ item, canManage, highlighted = false }: { item: ExportDto; canManage: boolean; highlighted?: boolean }) {
  return (
    <tr
      id={`export-${item.id}`}
      className={`align-top max-sm:grid max-sm:grid-cols-2 ${highlighted ? 'bg-indigo-50' : ''}`}
      aria-current={highlighted ? 'true' : undefined}
    >
      <td className="px-3 py-3 max-sm:col-span-2 max-sm:pb-1 sm:px-4">
        <Link
          href={`/exports?userId=${item.userId}`}
          className="font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 wrap-anywhere hover:text-indigo-500 hover:decoration-indigo-500"
          title="Show only this user's exports"
        >
          {item.userEmail}
        </Link>
        <ExportOptionsSummary item={item} />
        <span className="mt-0.5 block text-xs text-slate-600 wrap-anywhere sm:hidden">
          by {item.requestedBy.email}, <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
        </span>
      </td>
      <td className="hidden px-4 py-3 text-slate-700 sm:table-cell">{item.requestedBy.email}</td>
      <td className="hidden px-4 py-3 text-slate-600 sm:table-cell">
        <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
      </td>
      <td className="px-3 py-3 max-sm:pt-1 sm:px-4">
        <ExportStatusDetails item={item} />
      </td>
      <td className="px-3 py-3 max-sm:pt-1 sm:px-4">
        <ExportActions item={item} canManage={canManage} />
      </td>
    </tr>
  );
}
