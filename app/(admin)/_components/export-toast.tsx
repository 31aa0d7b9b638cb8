'use client';

import Link from 'next/link';
import { useEffect } from 'react';
import type { ExportDto } from '@/lib/exports/export.contracts';

const autoHideMs = 10_000;

function describe(item: ExportDto): string {
  if (item.status === 'completed') return `Export of ${item.userEmail} completed`;
  if (item.status === 'failed') return `Export of ${item.userEmail} failed: ${item.errorSummary ?? 'no details were recorded'}`;
  return `Export of ${item.userEmail} was cancelled`;
}

export function ExportToast({ item, canDownload, onDismiss }: { item: ExportDto; canDownload: boolean; onDismiss: () => void }) {
  useEffect(() => {
    const timer = setTimeout(onDismiss, autoHideMs);
    return () => clearTimeout(timer);
  }, [onDismiss]);

  const tone = item.status === 'completed' ? 'border-green-300' : item.status === 'failed' ? 'border-red-300' : 'border-amber-300';
  return (
    <div
      role="status"
      className={`pointer-events-auto flex items-start gap-3 rounded-lg border-l-4 ${tone} bg-white px-4 py-3 text-sm shadow-lg ring-1 ring-slate-200`}
    >
      <div className="flex-1">
        <p>{describe(item)}</p>
        <div className="mt-2 flex items-center gap-3">
          {item.status === 'completed' && canDownload && (
            // A link styled as a button: the route answers 302 to a short-lived presigned URL.
            <a
              href={`/api/exports/${item.id}/download`}
              aria-label={`Download export of ${item.userEmail}`}
              className="rounded-md bg-indigo-600 px-3 py-1 font-medium text-white hover:bg-indigo-500"
            >
              Download
            </a>
          )}
          <Link href="/exports" className="font-medium text-indigo-600 underline">
            View exports
          </Link>
        </div>
      </div>
      <button type="button" onClick={onDismiss} aria-label="Dismiss notification" className="rounded px-1 text-slate-500 hover:bg-slate-100">
        ×
      </button>
    </div>
  );
}
