import type { UserDto } from '@/lib/users/user.contracts';
import { formatCount, formatDateTime } from '../../_lib/format';
import { ExportUserButton } from './export-user-button';
import { UserExportState, isInFlight } from './user-export-state';

interface Props {
  user: UserDto;
  canExport: boolean;
  viewerHintId: string;
  /** The row's checkbox for a bulk export (admins only). */
  selection?: { selected: boolean; enabled: boolean; onChange: (selected: boolean) => void };
}

export function UserRow({ user, canExport, viewerHintId, selection }: Props) {
  return (
    <tr className="align-top">
      <td className="px-3 py-2 sm:px-4">
        <div className="flex items-start gap-2">
          {selection && (
            <input
              type="checkbox"
              aria-label={`Select ${user.email}`}
              checked={selection.selected}
              disabled={!selection.enabled}
              onChange={(e) => selection.onChange(e.target.checked)}
              className="mt-0.5 size-4 shrink-0 accent-indigo-600"
            />
          )}
          <div className="min-w-0">
            <span className="font-medium wrap-anywhere">{user.email}</span>
            <span className="mt-0.5 block text-xs text-slate-600 sm:hidden">
              {user.name} · {formatCount(user.eventCount)} events · last login {user.lastLoginAt ? formatDateTime(user.lastLoginAt) : 'never'}
            </span>
          </div>
        </div>
      </td>
      <td className="hidden px-4 py-2 text-slate-700 sm:table-cell">{user.name}</td>
      <td className="hidden px-4 py-2 text-right tabular-nums sm:table-cell">{formatCount(user.eventCount)}</td>
      <td className="hidden px-4 py-2 text-slate-600 sm:table-cell">{user.lastLoginAt ? formatDateTime(user.lastLoginAt) : 'Never'}</td>
      <td className="px-3 py-2 text-right sm:px-4">
        <div className="flex flex-col items-end gap-1">
          <UserExportState email={user.email} latest={user.latestExport} canDownload={canExport} />
          <ExportUserButton userId={user.id} email={user.email} canExport={canExport} inFlight={isInFlight(user.latestExport)} viewerHintId={viewerHintId} />
        </div>
      </td>
    </tr>
  );
}
