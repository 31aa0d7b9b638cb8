import type { Db } from './client';
import { hashPassword } from '../auth/password';
import { demoAdmins, demoEnvironments, demoPassword, demoTenants, demoUsers } from './demo-data';
import { insertGeneratedEvents } from './seed-events';

export interface SeedSummary {
  tenants: number;
  /** Demo users present after the seed (inserted now or earlier). */
  users: number;
  eventsInserted: number;
}

/**
 * Writes the demo data: only rows that are missing. A row that already exists (matched on
 * its natural key) is left exactly as it is: no password or role reset, no rename, no
 * events added to someone else's user. That keeps the seed idempotent and harmless on a
 * database it did not create (callers still seed only on request, see scripts/).
 */
export async function seedDemoData(db: Db): Promise<SeedSummary> {
  let users = 0;
  let eventsInserted = 0;
  for (const tenantSpec of demoTenants) {
    await db
      .insertInto('tenants')
      .values(tenantSpec)
      .onConflict((oc) => oc.doNothing())
      .execute();
    const tenant = await db.selectFrom('tenants').select('id').where('slug', '=', tenantSpec.slug).executeTakeFirstOrThrow();

    for (const admin of demoAdmins.filter((a) => a.tenant === tenantSpec.slug)) {
      await insertAdminIfMissing(db, tenant.id, admin);
    }

    for (const envSpec of demoEnvironments) {
      await db
        .insertInto('environments')
        .values({ tenant_id: tenant.id, ...envSpec })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const environment = await db
        .selectFrom('environments')
        .select('id')
        .where('tenant_id', '=', tenant.id)
        .where('slug', '=', envSpec.slug)
        .executeTakeFirstOrThrow();

      for (const user of demoUsers(tenantSpec.slug, envSpec.slug)) {
        // The user and its events commit together, so a seed cut short leaves no demo
        // user without its events (only newly inserted users get generated events).
        eventsInserted += await db.transaction().execute(async (trx) => {
          const inserted = await trx
            .insertInto('users')
            .values({
              tenant_id: tenant.id,
              environment_id: environment.id,
              email: user.email,
              name: user.name,
              created_at: user.createdAt,
              last_login_at: user.lastLoginAt,
            })
            .onConflict((oc) => oc.doNothing())
            .returning('id')
            .executeTakeFirst();
          if (!inserted) return 0;
          await insertGeneratedEvents(trx, { tenantId: tenant.id, environmentId: environment.id, userId: inserted.id }, user.events, user.createdAt);
          return user.events;
        });
        users++;
      }
    }
  }
  return { tenants: demoTenants.length, users, eventsInserted };
}

async function insertAdminIfMissing(db: Db, tenantId: string, admin: (typeof demoAdmins)[number]): Promise<void> {
  const existing = await db
    .selectFrom('admins')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', admin.email.toLowerCase()))
    .executeTakeFirst();
  // Checked first only to skip a pointless scrypt run; the insert still yields on conflict.
  if (existing) return;
  await db
    .insertInto('admins')
    .values({ tenant_id: tenantId, email: admin.email, name: admin.name, role: admin.role, password_hash: await hashPassword(demoPassword) })
    .onConflict((oc) => oc.doNothing())
    .execute();
}
