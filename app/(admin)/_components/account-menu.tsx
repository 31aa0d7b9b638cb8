'use client';

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
  const checked = save.isPending && save.variables ? save.variables.exportEmails : settings.data.exportEmails;
  return (
    <details className="relative">
      <summary className="cursor-pointer list-none rounded px-1 text-slate-600 hover:text-indigo-600" aria-label={`Account menu for ${email}`}>
        {email} ▾
      </summary>
      <div className="absolute right-0 z-10 mt-2 w-72 rounded-md border border-slate-200 bg-white p-3 shadow-lg">
        <label className="flex items-start gap-2">
          <input
            type="checkbox"
            className="mt-1"
            checked={checked}
            disabled={save.isPending || !hydrated}
            onChange={(event) => save.mutate({ exportEmails: event.target.checked })}
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
