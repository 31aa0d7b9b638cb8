'use client';

import { useState } from 'react';
import type { NotificationSettings } from '@/lib/notifications/notification-settings.contracts';
import { useHydrated } from '../_hooks/use-hydrated';
import { useNotificationSettings, useSaveNotificationSettings } from '../_hooks/use-notification-settings';
import { ApiErrorAlert } from './api-error-alert';

/** The header's account menu: who is signed in, and their mail setting. */
export function AccountMenu({ email, initialSettings }: { email: string; initialSettings: NotificationSettings }) {
  const settings = useNotificationSettings(initialSettings);
  const save = useSaveNotificationSettings();
  // The menu opens without JavaScript (details/summary): a click before hydration would be undone by it.
  const hydrated = useHydrated();
  // The choice is held in React state, set inside the click: the mutation's own state only
  // arrives after a timer, and until then React would put the old value back on the box.
  const [choice, setChoice] = useState<boolean | null>(null);
  const [saving, setSaving] = useState(false);
  const checked = choice ?? settings.data.exportEmails;
  return (
    // On a phone the menu spans the header (its containing block), not the summary, so it stays on screen.
    <details className="sm:relative">
      <summary className="cursor-pointer list-none rounded px-1 text-slate-600 hover:text-indigo-600" aria-label={`Account menu for ${email}`}>
        <span className="inline-block max-w-[14rem] truncate align-bottom">{email}</span> ▾
      </summary>
      <div className="absolute inset-x-4 z-10 mt-2 rounded-md sm:inset-x-auto sm:right-0 sm:w-72 border border-slate-200 bg-white p-3 shadow-lg">
        <label className="flex items-start gap-2">
          <input
            type="checkbox"
            className="mt-1"
            checked={checked}
            disabled={saving || !hydrated}
            onChange={(event) => {
              setChoice(event.target.checked);
              setSaving(true);
              save.mutate(
                { exportEmails: event.target.checked },
                { onSuccess: (saved) => setChoice(saved.exportEmails), onError: () => setChoice(null), onSettled: () => setSaving(false) },
              );
            }}
          />
          <span>
            Email me when my exports finish
            <span className="block text-xs text-slate-600">A link to the export on the history page, on completion and on failure.</span>
          </span>
        </label>
        {save.isError && <ApiErrorAlert error={save.error} className="mt-2" />}
      </div>
    </details>
  );
}
