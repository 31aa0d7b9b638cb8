import { redirect } from 'next/navigation';
import { currentAdmin } from '@/lib/auth/session';
import { countEnvironmentUsers } from '@/lib/exports/bulk/bulk-export.service';
import { scopeOf } from '@/lib/scope';
import { UsersTable } from './_components/users-table';

export const metadata = { title: 'Users · Export Console' };

export default async function UsersPage() {
  const admin = await currentAdmin();
  if (!admin) redirect('/login');
  const usersInEnvironment = await countEnvironmentUsers(scopeOf(admin));
  return (
    <section>
      <h1 className="text-2xl font-semibold">Users</h1>
      <p className="mt-1 text-sm text-slate-600">End users of this environment, by email.</p>
      {/* Keyed by environment: a switch starts over with an empty search on page 1. */}
      <UsersTable key={admin.environmentId} environmentId={admin.environmentId} canExport={admin.role === 'admin'} usersInEnvironment={usersInEnvironment} />
    </section>
  );
}
