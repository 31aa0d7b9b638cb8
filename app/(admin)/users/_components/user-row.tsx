import type { UserDto } from '@/lib/users/user.contracts';
import { formatCount, formatDateTime } from '../../_lib/format';
import { ExportUserButton } from './export-user-button';
import { UserExportState, isInFlight } from './user-export-state';

interface Props {
  user: UserDto;
  canExport: boolean;
  viewerHintId: string;
}

export function UserRow({ user, canExport, viewerHintId }: Props) {
  return (
    <tr className="align-top">
      <td className="px-3 py-2 sm:px-4">
        <span className="font-medium wrap-anywhere">{user.email}</span>
        <span className="mt-0.5 block text-xs text-slate-600 sm:hidden">
          {user.name} · {formatCount(user.eventCount)} events · last login {user.lastLoginAt ? formatDateTime(user.lastLoginAt) : 'never'}
        </span>
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
