'use client';

import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';

interface Props {
  /** From the click until the row shows its ending: "Cancelling…" replaces the button. */
  cancelling: boolean;
  disabled: boolean;
  /** Why the button is disabled (viewers). */
  hint?: string;
  /** Names what is cancelled, for screen readers ("Cancel export of ada@…"). */
  label: string;
  /** The question: what stops and what is lost. */
  confirm: { title: string; description: string; confirmLabel: string };
  onCancel: () => void;
}

/** Cancel of an export or a bulk export in flight: a button, a confirm, then "Cancelling…". */
export function CancelWithConfirm({ cancelling, disabled, hint, label, confirm, onCancel }: Props) {
  const [confirming, setConfirming] = useState(false);
  if (cancelling) {
    return (
      <p role="status" className="font-medium text-amber-800">
        Cancelling…
      </p>
    );
  }
  return (
    <>
      <button
        type="button"
        onClick={() => setConfirming(true)}
        disabled={disabled}
        title={hint}
        aria-label={label}
        className="rounded-md border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
      >
        Cancel
      </button>
      {confirming && (
        <ConfirmDialog
          {...confirm}
          keepLabel="Keep exporting"
          onConfirm={() => {
            setConfirming(false);
            onCancel();
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </>
  );
}
