import { type ExportDto, exportFormatCatalog } from '@/lib/exports/export.contracts';

const day = 24 * 3600 * 1000;

/** A bound as the dialog sets it: a UTC date at midnight, else the full UTC time. */
function utcDate(iso: string, shiftMs = 0): string {
  const time = new Date(new Date(iso).getTime() + shiftMs).toISOString();
  return time.endsWith('T00:00:00.000Z') ? time.slice(0, 10) : time.replace('T', ' ').replace(/(:00)?\.000Z$/, '');
}

/**
 * "2026-01-01 – 2026-01-31" for a range whose exclusive `to` is a UTC midnight: shown as the
 * last day included, as the export dialog asks for it.
 */
export function describeRange(range: ExportDto['range']): string {
  if (!range) return 'All events';
  const to = range.to ? (new Date(range.to).toISOString().endsWith('T00:00:00.000Z') ? utcDate(range.to, -day) : `before ${utcDate(range.to)}`) : null;
  const from = range.from ? utcDate(range.from) : null;
  if (from && to) return `Events ${from} – ${to} (UTC)`;
  if (from) return `Events from ${from} (UTC)`;
  return `Events through ${to} (UTC)`;
}

/** The export's format and range, under the user in the history. */
export function ExportOptionsSummary({ item }: { item: Pick<ExportDto, 'format' | 'range'> }) {
  return (
    <p className="mt-1 text-xs text-slate-600">
      {exportFormatCatalog[item.format].label} · {describeRange(item.range)}
    </p>
  );
}
