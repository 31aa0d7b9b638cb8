'use client';

import { type ExportDto, inFlightStatuses } from '@/lib/exports/export.contracts';
import { useNow } from '../../_hooks/use-now';
import { estimateRemainingMs, formatDuration, rowsPerSecond } from '../../_lib/export-timing';
import { formatCount } from '../../_lib/format';

type Timed = Pick<ExportDto, 'status' | 'progress' | 'createdAt' | 'startedAt' | 'completedAt'>;

/**
 * How long an export took, or for one in flight how long it has been going and, from its
 * rows per second so far, about how long is left.
 */
export function ExportTiming({ item }: { item: Timed }) {
  const inFlight = inFlightStatuses.includes(item.status);
  const now = useNow(inFlight);
  let text: string | null = null;
  if (item.status === 'queued') {
    text = `Queued for ${formatDuration(now - Date.parse(item.createdAt))}`;
  } else if (item.status === 'running') {
    const since = item.startedAt ?? item.createdAt;
    const rate = rowsPerSecond(item.progress, item.startedAt, now);
    const left = estimateRemainingMs(item.progress, item.startedAt, now);
    text = `Running for ${formatDuration(now - Date.parse(since))}`;
    if (rate !== null && left !== null) text += ` · about ${formatDuration(left)} left at ${formatCount(Math.round(rate))} rows/s`;
  } else if (item.completedAt) {
    text = `Took ${formatDuration(Date.parse(item.completedAt) - Date.parse(item.startedAt ?? item.createdAt))}`;
  }
  if (!text) return null;
  return (
    // The clock-based text differs between server and browser by design.
    <p className="mt-1 text-xs tabular-nums text-slate-600" suppressHydrationWarning>
      {text}
    </p>
  );
}
