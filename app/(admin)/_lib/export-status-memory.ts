import { type ExportDto, type ExportStatusValue, inFlightStatuses } from '@/lib/exports/export.contracts';

export type StatusMemory = Record<string, ExportStatusValue>;

/**
 * An export that was not in the list before and is already finished counts as news only
 * when it is this recent: it was started and finished between two polls. Older unknown
 * ones (a list fetched right after an environment switch) are history, not news.
 */
const freshUnknownMs = 60_000;

const isInFlight = (status: ExportStatusValue) => inFlightStatuses.includes(status);

/** Exports that finished since `memory` was taken: the ones to announce. */
export function newlyFinished(memory: StatusMemory, exports: ExportDto[], now: number): ExportDto[] {
  return exports.filter((e) => {
    if (isInFlight(e.status)) return false;
    // A bulk export's users are not announced one by one: the bulk's card shows them.
    if (e.bulkExportId) return false;
    const before = memory[e.id];
    if (before !== undefined) return isInFlight(before);
    return now - Date.parse(e.createdAt) < freshUnknownMs;
  });
}

export function remember(exports: ExportDto[]): StatusMemory {
  return Object.fromEntries(exports.map((e) => [e.id, e.status]));
}

// Kept per tab in sessionStorage so a reload in the middle of an export still announces
// its end; only a recent copy counts, or a tab reopened later would replay old news.
const storageMaxAgeMs = 60_000;
const storageKey = (environmentId: string) => `export-console:export-statuses:${environmentId}`;

export function loadMemory(environmentId: string): StatusMemory | null {
  try {
    const raw = window.sessionStorage.getItem(storageKey(environmentId));
    const saved = raw ? (JSON.parse(raw) as { savedAt: number; statuses: StatusMemory }) : null;
    return saved && Date.now() - saved.savedAt < storageMaxAgeMs ? saved.statuses : null;
  } catch {
    return null; // storage disabled or corrupt: start from a fresh snapshot
  }
}

export function saveMemory(environmentId: string, statuses: StatusMemory): void {
  try {
    window.sessionStorage.setItem(storageKey(environmentId), JSON.stringify({ savedAt: Date.now(), statuses }));
  } catch {
    // Storage full or disabled: toasts still work for this page's lifetime.
  }
}
