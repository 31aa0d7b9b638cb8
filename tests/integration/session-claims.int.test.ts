import { sql } from 'kysely';
import type { JWT } from 'next-auth/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endAdminSessions, setAdminDisabled, setAdminPassword, setAdminRole } from '../../lib/auth/admin-accounts';
import { findAdminByEmail } from '../../lib/auth/admin.repository';
import { activeSessionAdmin } from '../../lib/auth/session-claims';
import { migrateToLatest } from '../../lib/db/migrator';
import { createScratchDatabase } from '../support/scratch-database';

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
const maxAge = 8 * 3600;
let serial = 0;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  await migrateToLatest(scratch.db);
});
afterAll(async () => {
  await scratch?.drop();
});

/** A new admin of a new tenant, and the token a fresh sign-in would give them. */
async function signedIn(): Promise<{ email: string; token: JWT }> {
  serial++;
  const tenant = await scratch.db
    .insertInto('tenants')
    .values({ slug: `t${serial}`, name: `Tenant ${serial}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const email = `admin${serial}@claims.test`;
  await scratch.db.insertInto('admins').values({ tenant_id: tenant.id, email, name: 'A', role: 'admin', password_hash: 'x' }).execute();
  const row = (await findAdminByEmail(scratch.db, email))!;
  const admin = { id: row.id, email, name: 'A', role: row.role, tenantId: tenant.id, tenantName: `Tenant ${serial}`, environmentId: tenant.id };
  return { email, token: { admin, authTime: Math.floor(Date.now() / 1000), sessionVersion: row.session_version } };
}

describe('session tokens are checked against the admin row', () => {
  it('accept a fresh sign-in', async () => {
    const { token } = await signedIn();
    expect((await activeSessionAdmin(scratch.db, token, maxAge))?.id).toBe(token.admin!.id);
  });

  it('end at the absolute lifetime, however often the cookie was refreshed', async () => {
    const { token } = await signedIn();
    const now = (token.authTime! + maxAge + 1) * 1000;
    expect(await activeSessionAdmin(scratch.db, token, maxAge, now)).toBeNull();
    expect(await activeSessionAdmin(scratch.db, { ...token, authTime: undefined }, maxAge)).toBeNull();
  });

  it('end at SESSION_MAX_AGE_SECONDS when it is set below 8 hours', async () => {
    const { token } = await signedIn();
    const shorter = 600;
    const at = (seconds: number) => (token.authTime! + seconds) * 1000;
    expect(await activeSessionAdmin(scratch.db, token, shorter, at(shorter - 5))).not.toBeNull();
    expect(await activeSessionAdmin(scratch.db, token, shorter, at(shorter + 5))).toBeNull();
  });

  it('end when the admin signs out elsewhere, changes password or role, or is disabled', async () => {
    const cases: [string, (email: string, id: string) => Promise<void>][] = [
      ['sign-out', (_email, id) => endAdminSessions(scratch.db, id)],
      ['password change', (email) => setAdminPassword(scratch.db, email, 'a-brand-new-password')],
      ['demotion', (email) => setAdminRole(scratch.db, email, 'viewer')],
      ['disabling', (email) => setAdminDisabled(scratch.db, email, true)],
    ];
    for (const [what, change] of cases) {
      const { email, token } = await signedIn();
      await change(email, token.admin!.id);
      expect(await activeSessionAdmin(scratch.db, token, maxAge), what).toBeNull();
    }
  });

  it('end when the token names another tenant than the admin row', async () => {
    const { token } = await signedIn();
    const other = await signedIn();
    expect(await activeSessionAdmin(scratch.db, { ...token, admin: { ...token.admin!, tenantId: other.token.admin!.tenantId } }, maxAge)).toBeNull();
  });

  // Each check on its own: a change made straight in the database (an operator's SQL) bumps
  // no session version, so only the comparison with the row itself can end the session.
  const rowChanges: [string, (id: string, otherTenant: string) => Promise<unknown>][] = [
    ['deleted', (id) => sql`delete from admins where id = ${id}`.execute(scratch.db)],
    ['disabled', (id) => sql`update admins set disabled_at = now() where id = ${id}`.execute(scratch.db)],
    ['given another role', (id) => sql`update admins set role = 'viewer' where id = ${id}`.execute(scratch.db)],
    ['moved to another tenant', (id, otherTenant) => sql`update admins set tenant_id = ${otherTenant} where id = ${id}`.execute(scratch.db)],
    ['moved to another session version', (id) => sql`update admins set session_version = session_version + 1 where id = ${id}`.execute(scratch.db)],
  ];
  it.each(rowChanges)('end when the admin row is %s straight in the database', async (_what, change) => {
    const otherTenant = (await signedIn()).token.admin!.tenantId;
    const { token } = await signedIn();
    expect(await activeSessionAdmin(scratch.db, token, maxAge)).not.toBeNull();
    await change(token.admin!.id, otherTenant);
    expect(await activeSessionAdmin(scratch.db, token, maxAge)).toBeNull();
  });
});
