'use client';

import { useId, useState } from 'react';
import { ApiErrorAlert } from '../../_components/api-error-alert';
import { useDebouncedValue } from '../../_hooks/use-debounced-value';
import { useHydrated } from '../../_hooks/use-hydrated';
import { useUsers } from '../_hooks/use-users';
import { CursorPager } from './cursor-pager';
import { viewerExportHint } from './export-user-button';
import { BulkExportBar } from './bulk-export-bar';
import { UserRow } from './user-row';

interface Props {
  environmentId: string;
  canExport: boolean;
  /** Users of the environment when the page was rendered (the "export all" question shows it). */
  usersInEnvironment: number;
}

type CursorStack = (string | undefined)[];

export function UsersTable({ environmentId, canExport, usersInEnvironment }: Props) {
  const hydrated = useHydrated();
  const [searchInput, setSearchInput] = useState('');
  const search = useDebouncedValue(searchInput.trim(), 300);
  // The stack of cursors that led to the current page; a new search starts over at page 1.
  const [paging, setPaging] = useState<{ search: string; cursors: CursorStack }>({ search: '', cursors: [undefined] });
  const cursors = paging.search === search ? paging.cursors : [undefined];
  const cursor = cursors.at(-1);

  const users = useUsers(environmentId, search, cursor);
  const viewerHintId = useId();
  const nextCursor = users.data?.nextCursor ?? null;
  // While a placeholder (the previous page) is shown its cursors are stale: no paging.
  const settled = !users.isPlaceholderData && !users.isPending;
  // Ticked users, kept across pages and searches until a bulk export of them starts.
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const pageIds = users.data?.users.map((u) => u.id) ?? [];
  const wholePageSelected = pageIds.length > 0 && pageIds.every((id) => selected.has(id));

  return (
    <div className="mt-4">
      <label className="block max-w-sm">
        <span className="text-sm font-medium">Search users</span>
        <input
          type="search"
          value={searchInput}
          disabled={!hydrated}
          onChange={(e) => setSearchInput(e.target.value)}
          placeholder="Email or name"
          className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
        />
      </label>
      {canExport && <BulkExportBar selected={[...selected]} usersInEnvironment={usersInEnvironment} onStarted={() => setSelected(new Set())} />}
      {!canExport && (
        <p id={viewerHintId} className="mt-3 max-w-2xl rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {viewerExportHint}
        </p>
      )}

      {users.isError && <ApiErrorAlert error={users.error} className="mt-4" />}
      {users.isPending && <p className="mt-4 text-sm text-slate-500">Loading users…</p>}
      {users.data && (
        <div className="mt-4 overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={users.isFetching}>
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium sm:px-4">
                  <span className="flex items-center gap-2">
                    {canExport && (
                      <input
                        type="checkbox"
                        aria-label="Select every user on this page"
                        checked={wholePageSelected}
                        disabled={!hydrated}
                        onChange={(e) => {
                          for (const id of pageIds) toggle(id, e.target.checked);
                        }}
                        className="size-4 accent-indigo-600"
                      />
                    )}
                    Email
                  </span>
                </th>
                {/* On a phone, name, events and last login move under the email (user-row.tsx). */}
                <th scope="col" className="hidden px-4 py-2 font-medium sm:table-cell">
                  Name
                </th>
                <th scope="col" className="hidden px-4 py-2 text-right font-medium sm:table-cell">
                  Events
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium sm:table-cell">
                  Last login
                </th>
                <th scope="col" className="px-3 py-2 sm:px-4">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.data.users.map((user) => (
                <UserRow
                  key={user.id}
                  user={user}
                  canExport={canExport}
                  viewerHintId={viewerHintId}
                  selection={canExport ? { selected: selected.has(user.id), enabled: hydrated, onChange: (on) => toggle(user.id, on) } : undefined}
                />
              ))}
            </tbody>
          </table>
          {users.data.users.length === 0 && (
            <p className="px-4 py-6 text-center text-sm text-slate-500">{search ? `No users match “${search}”.` : 'No users in this environment yet.'}</p>
          )}
        </div>
      )}
      <CursorPager
        pageNumber={cursors.length}
        canGoBack={settled && cursors.length > 1}
        canGoForward={settled && nextCursor !== null}
        onPrevious={() => setPaging({ search, cursors: cursors.slice(0, -1) })}
        onNext={() => nextCursor && setPaging({ search, cursors: [...cursors, nextCursor] })}
      />
    </div>
  );
}
