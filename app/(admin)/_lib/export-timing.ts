import type { ExportProgress } from '@/lib/exports/export.contracts';

/**
 * "4 s", "2 min 05 s", "1 h 03 min": a span of time in whole seconds, rounded down, in the
 * two largest units. Durations of exports run from seconds to hours.
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${pad(seconds)} s`;
  return `${seconds} s`;
}

/** Rows per second since `startedAt`; null until a row has moved and time has passed. */
export function rowsPerSecond(progress: ExportProgress, startedAt: string | null, now: number): number | null {
  if (!startedAt) return null;
  const elapsedMs = now - Date.parse(startedAt);
  if (progress.rowsExported <= 0 || elapsedMs <= 0) return null;
  return (progress.rowsExported / elapsedMs) * 1000;
}

/**
 * Time left at the rate so far. Null while the total is unknown or nothing has moved: an
 * estimate from no data would be a guess dressed as a number.
 */
export function estimateRemainingMs(progress: ExportProgress, startedAt: string | null, now: number): number | null {
  const rate = rowsPerSecond(progress, startedAt, now);
  if (rate === null || progress.rowsTotal === null) return null;
  const left = Math.max(0, progress.rowsTotal - progress.rowsExported);
  return (left / rate) * 1000;
}

/** Whole percent done, or null while the total is unknown. Never 100 before the last row. */
export function percentDone(progress: ExportProgress): number | null {
  const { rowsExported, rowsTotal } = progress;
  if (rowsTotal === null) return null;
  if (rowsTotal === 0) return 0;
  return Math.min(100, Math.floor((rowsExported / rowsTotal) * 100));
}
