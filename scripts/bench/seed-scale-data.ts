import { hashPassword } from '../../lib/auth/password';
import type { Db } from '../../lib/db/client';
import { demoPassword } from '../../lib/db/demo-data';
import { insertGeneratedEvents } from '../../lib/db/seed-events';
import type { BurstUser } from './burst-checks';
import { eventsStartAt } from './seed-bench-data';

/**
 * Tenants for the scale-out runs (test suite and bench), on a fresh database: each with a
 * production environment, an admin (`admin@<slug>.test`, the demo password) and
 * `usersPerTenant` users of a few events each, so a burst measures coordination between
 * processes, not export throughput.
 */

export interface ScaleTenant {
  slug: string;
  tenantId: string;
  environmentId: string;
  adminId: string;
  adminEmail: string;
}

export interface ScaleUser extends BurstUser {
  tenant: string;
}

export interface ScaleData {
  password: string;
  tenants: ScaleTenant[];
  users: ScaleUser[];
}

export async function seedScaleData(db: Db, opts: { tenants: number; usersPerTenant: number; prefix?: string }): Promise<ScaleData> {
  const prefix = opts.prefix ?? 'scale';
  const passwordHash = await hashPassword(demoPassword);
  const tenants: ScaleTenant[] = [];
  const users: ScaleUser[] = [];
  for (let t = 1; t <= opts.tenants; t++) {
    const slug = `${prefix}-${t}`;
    const tenant = await db
      .insertInto('tenants')
      .values({ slug, name: `Scale ${t}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const environment = await db
      .insertInto('environments')
      .values({ tenant_id: tenant.id, slug: 'production', name: 'Production' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const adminEmail = `admin@${slug}.test`;
    const admin = await db
      .insertInto('admins')
      .values({ tenant_id: tenant.id, email: adminEmail, name: `Scale Admin ${t}`, role: 'admin', password_hash: passwordHash })
      .returning('id')
      .executeTakeFirstOrThrow();
    tenants.push({ slug, tenantId: tenant.id, environmentId: environment.id, adminId: admin.id, adminEmail });
    const inserted = await db
      .insertInto('users')
      .values(
        Array.from({ length: opts.usersPerTenant }, (_, i) => ({
          tenant_id: tenant.id,
          environment_id: environment.id,
          email: `user-${String(i).padStart(3, '0')}@${slug}.example`,
          name: `Scale User ${i}`,
          created_at: eventsStartAt,
          last_login_at: null,
        })),
      )
      .returning(['id', 'email'])
      .execute();
    for (const [i, user] of inserted.entries()) {
      const scoped = { tenant: slug, tenantId: tenant.id, environmentId: environment.id, userId: user.id, events: 3 + (i % 5) };
      await insertGeneratedEvents(db, scoped, scoped.events, eventsStartAt);
      users.push(scoped);
    }
  }
  return { password: demoPassword, tenants, users };
}
