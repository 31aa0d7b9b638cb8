'use client';

import Link from 'next/link';
import { signOut } from 'next-auth/react';
import type { NotificationSettings } from '@/lib/notifications/notification-settings.contracts';
import type { SessionAdmin } from '@/types/next-auth';
import { AccountMenu } from './account-menu';
import { useHydrated } from '../_hooks/use-hydrated';
import { EnvironmentSelect } from './environment-select';
import { HealthBanner } from './health-banner';

interface Props {
  admin: SessionAdmin;
  environments: { id: string; slug: string; name: string }[];
  notificationSettings: NotificationSettings;
}

export function AppHeader({ admin, environments, notificationSettings }: Props) {
  const hydrated = useHydrated();
  // Production holds real people's data: a cue that cannot be missed, on every page.
  const production = environments.find((e) => e.id === admin.environmentId)?.slug === 'production';
  return (
    <header
      className={`relative border-b border-slate-200 bg-white ${production ? 'border-t-4 border-t-red-600' : ''}`}
      data-environment={production ? 'production' : 'other'}
    >
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
        <span className="font-semibold">Export Console</span>
        <span className="rounded bg-slate-100 px-2 py-0.5 text-sm text-slate-700" data-testid="tenant-name">
          {admin.tenantName}
        </span>
        <nav aria-label="Main" className="flex gap-4 text-sm">
          <Link href="/users" className="hover:text-indigo-600">
            Users
          </Link>
          <Link href="/exports" className="hover:text-indigo-600">
            Exports
          </Link>
          {admin.role === 'admin' && (
            <Link href="/audit" className="hover:text-indigo-600">
              Audit
            </Link>
          )}
        </nav>
        <div className="ml-auto flex flex-wrap items-center justify-end gap-x-4 gap-y-2 text-sm">
          <EnvironmentSelect current={admin.environmentId} environments={environments} />
          {production && <span className="rounded bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-800">Live data</span>}
          {admin.role === 'viewer' && (
            <span
              className="rounded bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900"
              title="Viewers can look at users and exports but cannot start, cancel or download exports."
            >
              View only
            </span>
          )}
          <AccountMenu email={admin.email} initialSettings={notificationSettings} />
          <button
            type="button"
            disabled={!hydrated}
            onClick={() => signOut({ callbackUrl: '/login' })}
            className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50 disabled:opacity-50"
          >
            Sign out
          </button>
        </div>
      </div>
      <HealthBanner />
    </header>
  );
}
