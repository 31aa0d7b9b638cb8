'use client';

import type { ExportDto } from '@/lib/exports/export.contracts';
import { formatDateTime, formatTimeUntil } from '../../_lib/format';

/**
 * "Expires in 6 days" on a completed export, "Expired on …" once its file is gone (or due:
 * the hourly sweep may not have run yet, and the download already refuses it).
 */
export function ExportExpiry({ item }: { item: Pick<ExportDto, 'status' | 'expiresAt'> }) {
  if (!item.expiresAt || (item.status !== 'completed' && item.status !== 'expired')) return null;
  const past = item.status === 'expired' || Date.parse(item.expiresAt) <= Date.now();
  return (
    // The relative text depends on the clock: server and browser may differ by a second.
    <p className="mt-1 text-xs text-slate-600" suppressHydrationWarning>
      {past ? (
        <>
          Expired on <time dateTime={item.expiresAt}>{formatDateTime(item.expiresAt)}</time>
        </>
      ) : (
        <>
          Expires{' '}
          <time dateTime={item.expiresAt} title={formatDateTime(item.expiresAt)}>
            {formatTimeUntil(item.expiresAt)}
          </time>
        </>
      )}
    </p>
  );
}
