import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../lib/auth/password';
import { migrateToLatest } from '../../lib/db/migrator';
import { demoPassword, demoUsers } from '../../lib/db/demo-data';
import { seedDemoData } from '../../lib/db/seed';
import { createScratchDatabase } from '../support/scratch-database';

// Issue 9 §5: the demo seed used to rename tenant `acme`, reset the role and password of
// admin@acme.test to the published one, and add events to existing users. Here the
// database already holds real rows with those natural keys; the seed must leave them be.
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  await migrateToLatest(scratch.db);
});
afterAll(async () => {
  await scratch?.drop();
});

describe('demo seed on a database that already has rows', () => {
  it('inserts only what is missing and never resets an existing row', async () => {
    const db = scratch.db;
    const tenant = await db.insertInto('tenants').values({ slug: 'acme', name: 'Acme (real)' }).returning('id').executeTakeFirstOrThrow();
    const realHash = await hashPassword('a real admin password');
    await db
      .insertInto('admins')
      .values({ tenant_id: tenant.id, email: 'Admin@acme.test', name: 'Real Admin', role: 'viewer', password_hash: realHash })
      .execute();
    const env = await db
      .insertInto('environments')
      .values({ tenant_id: tenant.id, slug: 'production', name: 'Prod (real)' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const demoEmail = demoUsers('acme', 'production')[0]!.email;
    const user = await db
      .insertInto('users')
      .values({ tenant_id: tenant.id, environment_id: env.id, email: demoEmail, name: 'Real Person' })
      .returning('id')
      .executeTakeFirstOrThrow();

    await seedDemoData(db);

    expect(await db.selectFrom('tenants').select('name').where('id', '=', tenant.id).executeTakeFirstOrThrow()).toEqual({ name: 'Acme (real)' });
    expect(await db.selectFrom('environments').select('name').where('id', '=', env.id).executeTakeFirstOrThrow()).toEqual({ name: 'Prod (real)' });
    const admin = await db
      .selectFrom('admins')
      .select(['email', 'name', 'role', 'password_hash'])
      .where('tenant_id', '=', tenant.id)
      .where('email', 'ilike', 'admin@acme.test')
      .execute();
    expect(admin).toEqual([{ email: 'Admin@acme.test', name: 'Real Admin', role: 'viewer', password_hash: realHash }]);
    expect(await verifyPassword(demoPassword, admin[0]!.password_hash)).toBe(false);
    expect(await db.selectFrom('users').select('name').where('id', '=', user.id).executeTakeFirstOrThrow()).toEqual({ name: 'Real Person' });
    const events = await db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(Number(events.n)).toBe(0);

    // What was missing did get written: the other demo admins, environment and users.
    const emails = (await db.selectFrom('admins').select('email').orderBy('email').execute()).map((a) => a.email.toLowerCase());
    expect(emails).toEqual(['admin@acme.test', 'admin@globex.test', 'viewer@acme.test']);
    expect(await db.selectFrom('environments').select('slug').where('tenant_id', '=', tenant.id).orderBy('slug').execute()).toEqual([
      { slug: 'production' },
      { slug: 'sandbox' },
    ]);
  });
});
