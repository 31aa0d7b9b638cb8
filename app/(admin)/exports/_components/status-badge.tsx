import type { ExportStatusValue } from '@/lib/exports/export.contracts';

export const statusLabels: Record<ExportStatusValue, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

const tones: Record<ExportStatusValue, string> = {
  queued: 'bg-slate-100 text-slate-700',
  running: 'bg-blue-100 text-blue-800',
  completed: 'bg-green-100 text-green-800',
  failed: 'bg-red-100 text-red-800',
  cancelled: 'bg-amber-100 text-amber-800',
  expired: 'bg-slate-200 text-slate-700',
};

export function StatusBadge({ status }: { status: ExportStatusValue }) {
  return <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${tones[status]}`}>{statusLabels[status]}</span>;
}
