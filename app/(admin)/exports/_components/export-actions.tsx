'use client';

import { type ExportDto, inFlightStatuses, retryableStatuses } from '@/lib/exports/export.contracts';
import { ApiErrorAlert } from '../../_components/api-error-alert';
import { formatBytes, formatCount } from '../../_lib/format';
import { useCancelExport } from '../_hooks/use-cancel-export';
import { useExportAgain } from '../_hooks/use-export-again';
import { CancelWithConfirm } from './cancel-with-confirm';

interface Props {
  item: ExportDto;
  canManage: boolean;
}

const viewerHint = "Viewers can't download, cancel or start exports; ask an admin.";

/** Download (completed), Cancel (in flight), Export again (no file) and the Temporal link of one export. */
export function ExportActions({ item, canManage }: Props) {
  const cancel = useCancelExport();
  const again = useExportAgain();
  // Once exported again, the row links to the new export instead (export-row.tsx).
  const offerAgain = retryableStatuses.includes(item.status) && item.retriedBy === null;
  const inFlight = inFlightStatuses.includes(item.status);
  // From the click until a poll shows the row cancelled: the workflow ends the export once
  // its upload is aborted. cancelledBy keeps it so across reloads and in other tabs.
  const cancelling = inFlight && (cancel.isPending || cancel.isSuccess || item.cancelledBy !== null);
  // The object is deleted at expiresAt; a link to it would only lead to an error.
  const expired = item.expiresAt !== null && Date.parse(item.expiresAt) <= Date.now();

  return (
    <div className="flex flex-col items-start gap-1 text-sm">
      {item.status === 'completed' && (
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          {expired ? (
            <span className="text-slate-500">Expired</span>
          ) : canManage ? (
            // A plain link: the route answers 302 to a short-lived presigned URL, and the
            // browser downloads the attachment from there.
            <a href={`/api/exports/${item.id}/download`} className="font-medium text-indigo-600 underline hover:text-indigo-500">
              Download
            </a>
          ) : (
            <span className="text-slate-500" title={viewerHint}>
              Admins can download
            </span>
          )}
          {item.bytes !== null && <span className="text-xs text-slate-600">{formatBytes(item.bytes)}</span>}
          {item.sha256 && (
            <span className="font-mono text-xs text-slate-600" title={`SHA-256 ${item.sha256}`}>
              sha256 {item.sha256.slice(0, 12)}
            </span>
          )}
        </div>
      )}
      {inFlight && (
        <CancelWithConfirm
          cancelling={cancelling}
          disabled={!canManage}
          hint={canManage ? undefined : viewerHint}
          label={`Cancel export of ${item.userEmail}`}
          confirm={{
            title: 'Cancel this export?',
            description: `The export of ${item.userEmail} stops and its partial file is discarded (${formatCount(item.progress.rowsExported)} rows done so far). You can export the user again later.`,
            confirmLabel: 'Cancel export',
          }}
          onCancel={() => cancel.mutate(item.id)}
        />
      )}
      {offerAgain && (
        <button
          type="button"
          onClick={() => again.mutate(item)}
          disabled={!canManage || again.isPending}
          title={canManage ? undefined : viewerHint}
          className="rounded-md border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {again.isPending ? 'Starting…' : 'Export again'}
        </button>
      )}
      {item.workflowUrl && /^https?:\/\//.test(item.workflowUrl) && (
        <a href={item.workflowUrl} target="_blank" rel="noreferrer" className="text-xs text-slate-600 underline hover:text-indigo-600">
          View in Temporal
        </a>
      )}
      {cancel.isError && <ApiErrorAlert error={cancel.error} className="text-xs" />}
      {again.isError && <ApiErrorAlert error={again.error} className="text-xs" />}
    </div>
  );
}
