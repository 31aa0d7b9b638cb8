'use client';

import type { FormEvent } from 'react';
import { auditActions } from '@/lib/audit/audit.contracts';
import { useHydrated } from '../../_hooks/use-hydrated';
import type { AuditFilterParams } from '../_hooks/use-audit-log';
import { actionLabels } from './action-labels';

interface Props {
  filters: AuditFilterParams;
  admins: { id: string; email: string }[];
  onApply: (filters: AuditFilterParams) => void;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const field = 'mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm disabled:opacity-60';

/** `from`/`to` are dates in the URL when this form wrote them; a longer ISO value shows as its date. */
const dateOf = (value: string | undefined) => value?.slice(0, 10) ?? '';

export function AuditFilters({ filters, admins, onApply }: Props) {
  const hydrated = useHydrated();
  const knownAdmin = !filters.adminId || admins.some((a) => a.id === filters.adminId);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const user = text('user');
    onApply({
      action: text('action'),
      adminId: text('adminId'),
      userId: user && uuidPattern.test(user) ? user : undefined,
      userEmail: user && !uuidPattern.test(user) ? user : undefined,
      from: text('from'),
      to: text('to'),
    });
  }

  return (
    // Keyed by the filters: Back/Forward or a deep link resets the fields to the URL's values.
    <form key={JSON.stringify(filters)} onSubmit={submit} aria-label="Audit filters" className="mt-4 flex flex-wrap items-end gap-4">
      <label className="block">
        <span className="text-sm font-medium">Action</span>
        <select name="action" defaultValue={filters.action ?? ''} disabled={!hydrated} className={field}>
          <option value="">All actions</option>
          {auditActions.map((action) => (
            <option key={action} value={action}>
              {actionLabels[action]}
            </option>
          ))}
        </select>
      </label>
      <label className="block">
        <span className="text-sm font-medium">Admin</span>
        <select name="adminId" defaultValue={filters.adminId ?? ''} disabled={!hydrated} className={field}>
          <option value="">All admins</option>
          {admins.map((admin) => (
            <option key={admin.id} value={admin.id}>
              {admin.email}
            </option>
          ))}
          {!knownAdmin && <option value={filters.adminId}>Admin {filters.adminId}</option>}
        </select>
      </label>
      <label className="block">
        <span className="text-sm font-medium">User (email or ID)</span>
        <input
          name="user"
          type="text"
          defaultValue={filters.userId ?? filters.userEmail ?? ''}
          disabled={!hydrated}
          autoComplete="off"
          spellCheck={false}
          className={`${field} w-full sm:w-64`}
        />
      </label>
      <label className="block">
        <span className="text-sm font-medium">From (UTC)</span>
        <input name="from" type="date" defaultValue={dateOf(filters.from)} disabled={!hydrated} className={field} />
      </label>
      <label className="block">
        <span className="text-sm font-medium">Before (UTC)</span>
        <input name="to" type="date" defaultValue={dateOf(filters.to)} disabled={!hydrated} className={field} />
      </label>
      <button
        type="submit"
        disabled={!hydrated}
        className="rounded-md bg-indigo-600 px-4 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
      >
        Apply filters
      </button>
    </form>
  );
}
