'use client';

import Link from 'next/link';
import { useState } from 'react';
import { ApiErrorAlert } from '../../_components/api-error-alert';
import { useStartExport } from '../_hooks/use-start-export';
import { ExportOptionsDialog } from './export-options-dialog';

interface Props {
  userId: string;
  email: string;
  canExport: boolean;
  /** An export of this user is queued or running: a second one would only return it. */
  inFlight: boolean;
  /** id of the element explaining why viewers cannot export (aria-describedby). */
  viewerHintId: string;
}

export const viewerExportHint = "Viewers can't start exports; ask an admin.";

/** One user's Export button: it asks for the export's options, then shows what happened to the request. */
export function ExportUserButton({ userId, email, canExport, inFlight, viewerHintId }: Props) {
  const start = useStartExport();
  const [asking, setAsking] = useState(false);
  return (
    <div className="flex flex-col items-end gap-1">
      <button
        type="button"
        aria-label={`Export data for ${email}`}
        disabled={!canExport || inFlight || start.isPending}
        title={!canExport ? viewerExportHint : inFlight ? 'An export of this user is in progress' : undefined}
        aria-describedby={canExport ? undefined : viewerHintId}
        aria-haspopup="dialog"
        onClick={() => setAsking(true)}
        className="rounded-md bg-indigo-600 px-3 py-1 text-sm font-medium text-white hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-50"
      >
        {start.isPending ? 'Starting…' : 'Export'}
      </button>
      {asking && (
        <ExportOptionsDialog
          title={`Export data for ${email}`}
          onClose={() => setAsking(false)}
          onStart={(options) => {
            setAsking(false);
            start.mutate({ userId, options });
          }}
        />
      )}
      {start.isSuccess && (
        <p role="status" className="text-xs text-slate-600">
          {start.data.created ? 'Export queued' : 'An export of this user is already running'} — see{' '}
          <Link href="/exports" className="font-medium text-indigo-600 underline">
            Exports
          </Link>
        </p>
      )}
      {start.isError && <ApiErrorAlert error={start.error} className="max-w-xs text-left text-xs" />}
    </div>
  );
}
