import type { ExportProgress as Progress } from '@/lib/exports/export.contracts';
import { percentDone } from '../../_lib/export-timing';
import { formatCount } from '../../_lib/format';

/**
 * Rows done out of rows total. Until the worker has counted the rows the total is
 * unknown: the bar is then indeterminate (no aria-valuenow) rather than a made-up 0 %.
 */
export function ExportProgress({ progress, label }: { progress: Progress; label: string }) {
  const { rowsExported, rowsTotal } = progress;
  const percent = percentDone(progress);
  const text = rowsTotal === null ? `${formatCount(rowsExported)} rows` : `${percent}% · ${formatCount(rowsExported)} / ${formatCount(rowsTotal)} rows`;
  return (
    <div className="mt-1 w-48 max-w-full">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={text}
        className="h-2 overflow-hidden rounded-full bg-slate-200"
      >
        <div
          className={`h-full bg-indigo-500 transition-[width] duration-500 ${percent === null ? 'w-1/3 animate-pulse' : ''}`}
          style={percent === null ? undefined : { width: `${percent}%` }}
        />
      </div>
      <p className="mt-1 text-xs tabular-nums text-slate-600">{text}</p>
    </div>
  );
}
