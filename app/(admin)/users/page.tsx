import { redirect } from 'next/navigation';
import { currentAdmin } from '@/lib/auth/session';
import { getDb } from '@/lib/db/web-db';

export const metadata = { title: 'Users · Export Console' };

export default async function UsersPage() {
  const admin = await currentAdmin();
  if (!admin) redirect('/login');
  const users = await getDb()
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('tenant_id', '=', admin.tenantId)
    .where('environment_id', '=', admin.environmentId)
    .orderBy('email')
    .limit(50)
    .execute();
  return (
    <section>
      <h1 className="text-2xl font-semibold">Users</h1>
      <ul className="mt-4 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        {users.map((u) => (
          <li key={u.id} className="px-4 py-2">{u.email} <span className="text-slate-500">{u.name}</span></li>
        ))}
      </ul>
    </section>
  );
}
