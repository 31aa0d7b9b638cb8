import { type ExportStatusValue, exportStatuses } from '@/lib/exports/export.contracts';
import { useHydrated } from '../../_hooks/use-hydrated';
import { statusLabels } from './status-badge';

interface Props {
  status: ExportStatusValue | undefined;
  onStatusChange: (status: ExportStatusValue | undefined) => void;
  /** The user filter from `?userId=`, with the email when a loaded row tells it. */
  user: { id: string; email: string | null } | undefined;
  onClearUser: () => void;
}

export function ExportFilters({ status, onStatusChange, user, onClearUser }: Props) {
  const hydrated = useHydrated();
  return (
    <div className="mt-4 flex flex-wrap items-end gap-4">
      <label className="block">
        <span className="text-sm font-medium">Status</span>
        <select
          value={status ?? ''}
          disabled={!hydrated}
          onChange={(e) => onStatusChange((e.target.value || undefined) as ExportStatusValue | undefined)}
          className="mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
        >
          <option value="">All statuses</option>
          {exportStatuses.map((s) => (
            <option key={s} value={s}>
              {statusLabels[s]}
            </option>
          ))}
        </select>
      </label>
      {user && (
        <span className="inline-flex items-center gap-2 rounded-full bg-indigo-50 py-1 pl-3 pr-1 text-sm text-indigo-800">
          User: {user.email ?? user.id}
          <button type="button" onClick={onClearUser} aria-label="Clear user filter" className="rounded-full px-2 text-indigo-700 hover:bg-indigo-100">
            ×
          </button>
        </span>
      )}
    </div>
  );
}
