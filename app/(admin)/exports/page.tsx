import { redirect } from 'next/navigation';
import { Suspense } from 'react';
import { currentAdmin } from '@/lib/auth/session';
import { BulkExports } from './_components/bulk-exports';
import { ExportsHistory } from './_components/exports-history';

export const metadata = { title: 'Exports · Export Console' };

export default async function ExportsPage() {
  const admin = await currentAdmin();
  if (!admin) redirect('/login');
  return (
    <section>
      <h1 className="text-2xl font-semibold">Exports</h1>
      <p className="mt-1 text-sm text-slate-600">Every export of this environment, newest first. Updates live.</p>
      <BulkExports key={`bulk-${admin.environmentId}`} environmentId={admin.environmentId} canManage={admin.role === 'admin'} />
      {/* The history reads its filters with useSearchParams, which wants a Suspense boundary. */}
      <Suspense fallback={<p className="mt-4 text-sm text-slate-500">Loading exports…</p>}>
        <ExportsHistory key={admin.environmentId} environmentId={admin.environmentId} canManage={admin.role === 'admin'} />
      </Suspense>
    </section>
  );
}
