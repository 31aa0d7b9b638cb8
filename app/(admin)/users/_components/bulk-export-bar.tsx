'use client';

import Link from 'next/link';
import { useState } from 'react';
import { bulkUserIdsMax } from '@/lib/exports/bulk/bulk-export.contracts';
import { ApiErrorAlert } from '../../_components/api-error-alert';
import { useHydrated } from '../../_hooks/use-hydrated';
import { formatCount } from '../../_lib/format';
import { type BulkSelection, useStartBulkExport } from '../_hooks/use-start-bulk-export';
import { ExportOptionsDialog } from './export-options-dialog';

interface Props {
  /** Ids of the users ticked on any page. */
  selected: string[];
  /** Users of the environment, for the "export all" question. */
  usersInEnvironment: number;
  onStarted: () => void;
}

/**
 * "Export selected (N)" and "Export all users of this environment": each asks for the
 * format and range in the single export's dialog (for "all", with the count, as a confirm),
 * then starts one bulk export.
 */
export function BulkExportBar({ selected, usersInEnvironment, onStarted }: Props) {
  const hydrated = useHydrated();
  const start = useStartBulkExport();
  const [asking, setAsking] = useState<BulkSelection | null>(null);
  const busy = !hydrated || start.isPending;
  const button = 'rounded-md px-3 py-1.5 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50';
  const tooMany = selected.length > bulkUserIdsMax;
  const users = (n: number) => `${formatCount(n)} ${n === 1 ? 'user' : 'users'}`;
  return (
    <div className="mt-4">
      <fieldset className="m-0 flex min-w-0 flex-wrap items-center gap-2 border-0 p-0">
        <legend className="sr-only">Bulk export</legend>
        <button
          type="button"
          disabled={busy || selected.length === 0 || tooMany}
          aria-haspopup="dialog"
          onClick={() => setAsking({ userIds: selected })}
          className={`${button} bg-indigo-600 text-white hover:bg-indigo-500`}
        >
          Export selected ({formatCount(selected.length)})
        </button>
        <button
          type="button"
          disabled={busy || usersInEnvironment === 0}
          aria-haspopup="dialog"
          onClick={() => setAsking({ all: true })}
          className={`${button} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50`}
        >
          Export all users of this environment
        </button>
      </fieldset>
      {tooMany && (
        <p className="mt-2 text-sm text-amber-900">
          A bulk export names at most {formatCount(bulkUserIdsMax)} users; export all users of the environment instead, or select fewer.
        </p>
      )}
      {asking && (
        <ExportOptionsDialog
          {...('all' in asking
            ? {
                title: 'Export all users of this environment?',
                description: `This starts one bulk export of all ${formatCount(usersInEnvironment)} users: an export per user, within your tenant's export limits, then one ZIP with a folder per user. Progress shows on the Exports page.`,
                startLabel: `Export ${users(usersInEnvironment)}`,
                focusCancel: true,
              }
            : {
                title: `Export data for ${users(asking.userIds.length)}`,
                description: 'One bulk export: an export per user, then one ZIP with a folder per user. Progress shows on the Exports page.',
                startLabel: `Export ${users(asking.userIds.length)}`,
              })}
          onClose={() => setAsking(null)}
          onStart={(options) => {
            setAsking(null);
            start.mutate({ ...asking, ...options }, { onSuccess: onStarted });
          }}
        />
      )}
      {start.isSuccess && (
        <p role="status" className="mt-2 text-sm text-slate-700">
          Bulk export of {formatCount(start.data.progress.usersTotal)} {start.data.progress.usersTotal === 1 ? 'user' : 'users'} started — follow it on{' '}
          <Link href="/exports" className="font-medium text-indigo-600 underline">
            Exports
          </Link>
          .
        </p>
      )}
      {start.isError && <ApiErrorAlert error={start.error} className="mt-2 max-w-2xl" />}
    </div>
  );
}
