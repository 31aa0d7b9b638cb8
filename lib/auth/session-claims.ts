import type { JWT } from 'next-auth/jwt';
import type { SessionAdmin } from '../../types/next-auth';
import type { Db } from '../db/client';
import { findAdminById } from './admin.repository';

/**
 * Whether a session token still stands, checked on every request: the sign-in is at most
 * `maxAgeSeconds` old (an absolute limit; next-auth slides the cookie's own expiry on each
 * refresh), and the admin still exists, is not disabled, has the same tenant and role, and
 * the token's session version matches (sign-out, a password or a role change bump it).
 * Returns the admin as the session should show them, or null.
 */
export async function activeSessionAdmin(db: Db, token: JWT | null, maxAgeSeconds: number, now = Date.now()): Promise<SessionAdmin | null> {
  const claims = token?.admin;
  if (!claims || typeof token.authTime !== 'number' || typeof token.sessionVersion !== 'number') return null;
  const ageSeconds = now / 1000 - token.authTime;
  // A minute of clock skew between web instances is tolerated; a sign-in from the future is not.
  if (ageSeconds > maxAgeSeconds || ageSeconds < -60) return null;
  const row = await findAdminById(db, claims.id);
  if (!row || row.disabled_at !== null) return null;
  if (row.session_version !== token.sessionVersion || row.tenant_id !== claims.tenantId || row.role !== claims.role) return null;
  return { ...claims, email: row.email, name: row.name, tenantName: row.tenant_name };
}
