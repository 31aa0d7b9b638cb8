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
      <td className="px-4 py-2 font-medium">{user.email}</td>
      <td className="px-4 py-2 text-slate-700">{user.name}</td>
      <td className="px-4 py-2 text-right tabular-nums">{formatCount(user.eventCount)}</td>
      <td className="px-4 py-2 text-slate-600">{user.lastLoginAt ? formatDateTime(user.lastLoginAt) : 'Never'}</td>
      <td className="px-4 py-2 text-right">
        <div className="flex flex-col items-end gap-1">
          <UserExportState email={user.email} latest={user.latestExport} canDownload={canExport} />
          <ExportUserButton userId={user.id} email={user.email} canExport={canExport} inFlight={isInFlight(user.latestExport)} viewerHintId={viewerHintId} />
        </div>
      </td>
    </tr>
  );
}
