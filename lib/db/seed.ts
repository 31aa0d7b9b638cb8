import type { Db } from './client';
import { hashPassword, verifyPassword } from '../auth/password';
import { demoAdmins, demoEnvironments, demoPassword, demoTenants, demoUsers } from './demo-data';
import { insertGeneratedEvents } from './seed-events';

export interface SeedSummary {
  tenants: number;
  users: number;
  eventsInserted: number;
}

/**
 * Writes the demo data. Idempotent: rows are matched on their natural keys, and a user's
 * events are generated only while that user has none.
 */
export async function seedDemoData(db: Db): Promise<SeedSummary> {
  let users = 0;
  let eventsInserted = 0;
  for (const tenantSpec of demoTenants) {
    const tenant = await db
      .insertInto('tenants')
      .values(tenantSpec)
      .onConflict((oc) => oc.column('slug').doUpdateSet({ name: tenantSpec.name }))
      .returning('id')
      .executeTakeFirstOrThrow();

    for (const admin of demoAdmins.filter((a) => a.tenant === tenantSpec.slug)) {
      await upsertAdmin(db, tenant.id, admin);
    }

    for (const envSpec of demoEnvironments) {
      const environment = await db
        .insertInto('environments')
        .values({ tenant_id: tenant.id, ...envSpec })
        .onConflict((oc) => oc.columns(['tenant_id', 'slug']).doUpdateSet({ name: envSpec.name }))
        .returning('id')
        .executeTakeFirstOrThrow();
      const scope = { tenantId: tenant.id, environmentId: environment.id };

      for (const user of demoUsers(tenantSpec.slug, envSpec.slug)) {
        const row = await db
          .insertInto('users')
          .values({
            tenant_id: tenant.id,
            environment_id: environment.id,
            email: user.email,
            name: user.name,
            created_at: user.createdAt,
            last_login_at: user.lastLoginAt,
          })
          .onConflict((oc) => oc.columns(['tenant_id', 'environment_id', 'email']).doUpdateSet({ name: user.name }))
          .returning('id')
          .executeTakeFirstOrThrow();
        users++;
        const existing = await db
          .selectFrom('events')
          .select('id')
          .where('tenant_id', '=', tenant.id)
          .where('environment_id', '=', environment.id)
          .where('user_id', '=', row.id)
          .limit(1)
          .executeTakeFirst();
        if (!existing && user.events > 0) {
          await insertGeneratedEvents(db, { ...scope, userId: row.id }, user.events, user.createdAt);
          eventsInserted += user.events;
        }
      }
    }
  }
  return { tenants: demoTenants.length, users, eventsInserted };
}

async function upsertAdmin(db: Db, tenantId: string, admin: (typeof demoAdmins)[number]): Promise<void> {
  const current = await db
    .selectFrom('admins')
    .select(['id', 'password_hash'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', admin.email.toLowerCase()))
    .executeTakeFirst();
  // Re-hashing on every seed would be slow and pointless; keep a hash that still matches.
  const passwordHash =
    current && (await verifyPassword(demoPassword, current.password_hash)) ? current.password_hash : await hashPassword(demoPassword);
  if (current) {
    await db
      .updateTable('admins')
      .set({ tenant_id: tenantId, name: admin.name, role: admin.role, password_hash: passwordHash })
      .where('id', '=', current.id)
      .execute();
  } else {
    await db
      .insertInto('admins')
      .values({ tenant_id: tenantId, email: admin.email, name: admin.name, role: admin.role, password_hash: passwordHash })
      .execute();
  }
}
