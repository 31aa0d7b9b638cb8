import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { listEnvironments } from '@/lib/auth/admin.repository';
import { currentAdmin } from '@/lib/auth/session';
import { getDb } from '@/lib/db/web-db';
import { AppHeader } from './_components/app-header';
import { ExportToasts } from './_components/export-toasts';

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const admin = await currentAdmin();
  if (!admin) redirect('/login');
  const environments = await listEnvironments(getDb(), admin.tenantId);
  return (
    <div className="min-h-screen">
      <AppHeader admin={admin} environments={environments} />
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
      {/* Keyed by environment: its memory of export statuses belongs to one environment. */}
      <ExportToasts key={admin.environmentId} environmentId={admin.environmentId} />
    </div>
  );
}
