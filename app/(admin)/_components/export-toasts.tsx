'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ExportDto } from '@/lib/exports/export.contracts';
import { useRecentExports } from '../_hooks/use-recent-exports';
import { type StatusMemory, loadMemory, newlyFinished, remember, saveMemory } from '../_lib/export-status-memory';
import { ExportToast } from './export-toast';

const maxVisible = 4;

/**
 * Announces exports that finish while the admin is anywhere in the app. The first list
 * seen is only remembered: exports that had already finished are not news.
 */
export function ExportToasts({ environmentId, canDownload }: { environmentId: string; canDownload: boolean }) {
  const recent = useRecentExports(environmentId);
  const memory = useRef<StatusMemory | null>(null);
  const [toasts, setToasts] = useState<ExportDto[]>([]);

  useEffect(() => {
    const list = recent.data?.exports;
    if (!list) return;
    const before = memory.current ?? loadMemory(environmentId);
    const finished = before ? newlyFinished(before, list, Date.now()) : [];
    memory.current = remember(list);
    saveMemory(environmentId, memory.current);
    if (finished.length > 0) {
      setToasts((shown) => [...finished.filter((f) => !shown.some((s) => s.id === f.id)), ...shown].slice(0, maxVisible));
    }
  }, [recent.data, environmentId]);

  const dismiss = useCallback((id: string) => setToasts((shown) => shown.filter((t) => t.id !== id)), []);

  return (
    <div aria-live="polite" className="pointer-events-none fixed bottom-4 right-4 z-50 flex w-96 max-w-[calc(100vw-2rem)] flex-col gap-2">
      {toasts.map((item) => (
        <ToastSlot key={item.id} item={item} canDownload={canDownload} onDismiss={dismiss} />
      ))}
    </div>
  );
}

/** Binds the id once so the toast's auto-hide timer is not restarted by each poll. */
function ToastSlot({ item, canDownload, onDismiss }: { item: ExportDto; canDownload: boolean; onDismiss: (id: string) => void }) {
  const dismiss = useCallback(() => onDismiss(item.id), [onDismiss, item.id]);
  return <ExportToast item={item} canDownload={canDownload} onDismiss={dismiss} />;
}
