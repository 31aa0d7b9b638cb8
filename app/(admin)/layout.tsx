import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { listEnvironments } from '@/lib/auth/admin.repository';
import { urlHeader as requestUrlHeader } from '@/lib/front-door-headers.mjs';
import { safeReturnPath } from '@/lib/auth/return-path';
import { currentAdmin } from '@/lib/auth/session';
import { getDb } from '@/lib/db/web-db';
import { getNotificationSettings } from '@/lib/notifications/notification-settings.service';
import { AdminSession } from './_components/admin-session';
import { AppHeader } from './_components/app-header';
import { ExportToasts } from './_components/export-toasts';

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const admin = await currentAdmin();
  if (!admin) {
    // Back to the page the admin asked for, filters included, once signed in.
    const back = safeReturnPath((await headers()).get(requestUrlHeader));
    redirect(`/login?${new URLSearchParams({ callbackUrl: back })}`);
  }
  const [environments, notificationSettings] = await Promise.all([listEnvironments(getDb(), admin.tenantId), getNotificationSettings(admin.id)]);
  return (
    <AdminSession>
      <div className="min-h-screen">
        <AppHeader admin={admin} environments={environments} notificationSettings={notificationSettings} />
        <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">{children}</main>
        {/* Keyed by environment: its memory of export statuses belongs to one environment. */}
        <ExportToasts key={admin.environmentId} environmentId={admin.environmentId} canDownload={admin.role === 'admin'} />
      </div>
    </AdminSession>
  );
}
