import { redirect } from 'next/navigation';
import { Suspense } from 'react';
import { listAuditAdmins } from '@/lib/audit/audit.service';
import { currentAdmin } from '@/lib/auth/session';
import { AuditLog } from './_components/audit-log';

export const metadata = { title: 'Audit log · Export Console' };

export default async function AuditPage() {
  const admin = await currentAdmin();
  if (!admin) redirect('/login');
  return (
    <section>
      <h1 className="text-2xl font-semibold">Audit log</h1>
      {admin.role === 'admin' ? (
        <>
          <p className="mt-1 text-sm text-slate-600">Who requested, cancelled or downloaded which export, and who signed in: newest first.</p>
          {/* The log reads its filters with useSearchParams, which wants a Suspense boundary. */}
          <Suspense fallback={<p className="mt-4 text-sm text-slate-500">Loading the audit log…</p>}>
            <AuditLog admins={await listAuditAdmins(admin.tenantId)} />
          </Suspense>
        </>
      ) : (
        // The API refuses viewers (403) as well; this only spares them a failing request.
        <p role="alert" className="mt-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Only admins can see the audit log. Ask an admin of your tenant if you need it.
        </p>
      )}
    </section>
  );
}
