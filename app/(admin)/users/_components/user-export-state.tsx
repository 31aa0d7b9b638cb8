import { inFlightStatuses } from '@/lib/exports/export.contracts';
import type { UserDto } from '@/lib/users/user.contracts';
import { ExportProgress } from '../../exports/_components/export-progress';
import { StatusBadge } from '../../exports/_components/status-badge';

type LatestExport = NonNullable<UserDto['latestExport']>;

export function isInFlight(latest: LatestExport | null): boolean {
  return latest !== null && inFlightStatuses.includes(latest.status);
}

/**
 * The user's newest export where the admin clicked Export: live status and percentage
 * while it runs (the users query polls then), Download once it completed. Older endings
 * (failed, cancelled, expired) are the history page's business.
 */
export function UserExportState({ email, latest, canDownload }: { email: string; latest: UserDto['latestExport']; canDownload: boolean }) {
  if (latest && isInFlight(latest)) {
    return (
      <div className="flex flex-col items-end" data-testid="user-export-state">
        <StatusBadge status={latest.status} />
        <ExportProgress progress={latest.progress} label={`Export progress for ${email}`} />
      </div>
    );
  }
  const downloadable = latest?.status === 'completed' && (latest.expiresAt === null || Date.parse(latest.expiresAt) > Date.now());
  if (!latest || !downloadable || !canDownload) return null;
  return (
    // A plain link, as on /exports: the route answers 302 to a short-lived presigned URL.
    <a
      href={`/api/exports/${latest.id}/download`}
      aria-label={`Download export of ${email}`}
      className="text-sm font-medium text-indigo-600 underline hover:text-indigo-500"
    >
      Download
    </a>
  );
}
