'use client';

import { useEffect, useId, useRef } from 'react';

interface Props {
  title: string;
  description: string;
  confirmLabel: string;
  keepLabel: string;
  onConfirm: () => void;
  /** Keep button, Escape, or the dialog closing any other way. */
  onClose: () => void;
}

/**
 * A modal question before a step that cannot be undone. A native <dialog> opened with
 * showModal(): the browser traps focus, Escape closes it, and the page behind is inert.
 * Mount it to ask, unmount it to close. Focus starts on the safe answer.
 */
export function ConfirmDialog({ title, description, confirmLabel, keepLabel, onConfirm, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      onClose={onClose}
      className="m-auto w-full max-w-md rounded-lg bg-white p-6 text-left text-sm shadow-xl backdrop:bg-slate-900/40"
    >
      <h2 id={titleId} className="text-base font-semibold text-slate-900">
        {title}
      </h2>
      <p id={descriptionId} className="mt-2 text-slate-700">
        {description}
      </p>
      <div className="mt-5 flex justify-end gap-3">
        <button type="button" autoFocus onClick={onClose} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">
          {keepLabel}
        </button>
        <button type="button" onClick={onConfirm} className="rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-600">
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
