'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { defaultExportFormat, exportFormatCatalog, exportFormatNames, type ExportFormatName } from '@/lib/exports/export.contracts';
import type { StartExportOptions } from '../_hooks/use-start-export';

interface Props {
  /** "Export data for ada@…", or what a bulk export covers. */
  title: string;
  /** What starting does, when the title alone does not say (a bulk export of every user). */
  description?: string;
  /** "Start export" unless the action needs its size spelled out ("Export 4 users"). */
  startLabel?: string;
  /** A large action (every user) starts with the focus on Cancel, like ConfirmDialog's safe answer. */
  focusCancel?: boolean;
  onStart: (options: StartExportOptions) => void;
  /** Cancel button, Escape, or the dialog closing any other way. */
  onClose: () => void;
}

/** A date input's YYYY-MM-DD as the start of that UTC day, plus `days`. */
function utcDay(date: string, days = 0): string {
  const time = new Date(`${date}T00:00:00Z`);
  time.setUTCDate(time.getUTCDate() + days);
  return time.toISOString();
}

/**
 * Options of an export (one user's, or a bulk export's), asked when Export is clicked. The same native <dialog> pattern as
 * ConfirmDialog (showModal: focus trapped, Escape closes, the page inert; mount to open).
 * Focus starts on "Start export" with CSV and no range chosen, so today's export stays one
 * click (or Enter) away. Dates are whole UTC days, both included: "to" is sent as the next
 * day's midnight, the API's exclusive bound.
 */
export function ExportOptionsDialog({ title, description, startLabel = 'Start export', focusCancel = false, onStart, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const rangeHintId = useId();
  const errorId = useId();
  const [format, setFormat] = useState<ExportFormatName>(defaultExportFormat);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    // showModal focuses the first control (a radio) unless an element has the autofocus
    // attribute, which React's autoFocus does not write: move focus to the default action.
    (focusCancel ? cancelRef : startRef).current?.focus();
  }, [focusCancel]);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (from && to && from > to) {
      setError('The From date must be on or before the To date.');
      return;
    }
    onStart({
      format: format === defaultExportFormat ? undefined : format,
      from: from ? utcDay(from) : undefined,
      to: to ? utcDay(to, 1) : undefined,
    });
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onClose={onClose}
      className="m-auto w-full max-w-md rounded-lg bg-white p-6 text-left text-sm shadow-xl backdrop:bg-slate-900/40"
    >
      <form onSubmit={submit} noValidate>
        <h2 id={titleId} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        {description && (
          <p id={descriptionId} className="mt-2 text-slate-700">
            {description}
          </p>
        )}
        <fieldset className="mt-4">
          <legend className="font-medium text-slate-900">Format</legend>
          <div className="mt-2 flex flex-col gap-2">
            {exportFormatNames.map((name) => (
              <div key={name} className="flex items-start gap-2">
                <input
                  type="radio"
                  id={`${titleId}-${name}`}
                  name="format"
                  value={name}
                  checked={format === name}
                  onChange={() => setFormat(name)}
                  aria-describedby={`${titleId}-${name}-hint`}
                  className="mt-0.5"
                />
                <div>
                  <label htmlFor={`${titleId}-${name}`} className="font-medium text-slate-900">
                    {exportFormatCatalog[name].label}
                  </label>
                  <p id={`${titleId}-${name}-hint`} className="text-xs text-slate-600">
                    {exportFormatCatalog[name].description}
                  </p>
                </div>
              </div>
            ))}
          </div>
        </fieldset>
        <fieldset className="mt-4" aria-describedby={rangeHintId}>
          <legend className="font-medium text-slate-900">Events from a date range (optional)</legend>
          <p id={rangeHintId} className="mt-1 text-xs text-slate-600">
            UTC days, both included. Leave empty for every event.
          </p>
          <div className="mt-2 flex gap-3">
            <label className="flex flex-col gap-1">
              <span>From</span>
              <input
                type="date"
                value={from}
                max={to || undefined}
                onChange={(e) => {
                  setFrom(e.target.value);
                  setError(null);
                }}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? errorId : undefined}
                className="rounded-md border border-slate-300 px-2 py-1"
              />
            </label>
            <label className="flex flex-col gap-1">
              <span>To</span>
              <input
                type="date"
                value={to}
                min={from || undefined}
                onChange={(e) => {
                  setTo(e.target.value);
                  setError(null);
                }}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? errorId : undefined}
                className="rounded-md border border-slate-300 px-2 py-1"
              />
            </label>
          </div>
          {error && (
            <p id={errorId} role="alert" className="mt-2 text-xs text-red-700">
              {error}
            </p>
          )}
        </fieldset>
        <div className="mt-5 flex justify-end gap-3">
          <button type="button" ref={cancelRef} onClick={onClose} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">
            Cancel
          </button>
          <button type="submit" ref={startRef} className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500">
            {startLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
