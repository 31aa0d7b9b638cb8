import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { hashPassword } from '../../lib/auth/password';

export interface TestAdmin {
  id: string;
  email: string;
  password: string;
}

/**
 * A new admin of a seeded tenant, for specs that sign out, demote or lock an account: the
 * demo logins other specs share must not be touched.
 */
export async function createTestAdmin(db: pg.Client, tenantSlug: string, role: 'admin' | 'viewer' = 'admin'): Promise<TestAdmin> {
  const email = `e2e-${randomBytes(5).toString('hex')}@${tenantSlug}.test`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const { rows } = await db.query<{ id: string }>(
    `insert into admins (tenant_id, email, name, role, password_hash)
     select id, $2, 'E2E admin', $3, $4 from tenants where slug = $1 returning id`,
    [tenantSlug, email, role, await hashPassword(password)],
  );
  if (!rows[0]) throw new Error(`tenant ${tenantSlug} not found`);
  return { id: rows[0].id, email, password };
}

/** The session claims next-auth would carry for a test admin of Acme's production environment (for forged cookies). */
export function acmeProductionClaims(admin: TestAdmin, acme: { tenantId: string; production: string }) {
  return {
    id: admin.id,
    email: admin.email,
    name: 'E2E admin',
    role: 'admin' as const,
    tenantId: acme.tenantId,
    tenantName: 'Acme Corp',
    environmentId: acme.production,
  };
}
