import type { User } from 'next-auth';
import { z } from 'zod';
import { recordAudit } from '../audit/audit.repository';
import { getDb } from '../db/web-db';
import { webEnv } from '../env';
import { requestOrigin } from '../request-origin';
import { replacePasswordHash } from './admin-accounts';
import { findAdminByEmail, listEnvironments } from './admin.repository';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './password';
import { signInContext } from './sign-in-context';
import { normalizeEmail, reserveSignInAttempt, settleSignInAttempt } from './sign-in-throttle';

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().max(320).pipe(z.email()),
  password: z.string().min(1).max(1024),
});

/**
 * next-auth's `authorize()`: the only place a password is checked. The credentials gate
 * (credentials-gate.ts) normally reserved this attempt already; any way in that it did not
 * see is throttled here as well, so no path reaches the hash without a reservation.
 */
export async function checkPassword(credentials: Record<string, string> | undefined, headers: Headers): Promise<User | null> {
  const db = getDb();
  const origin = requestOrigin(headers, webEnv().TRUSTED_PROXY_HOPS);
  const email = normalizeEmail(String(credentials?.email ?? ''));
  const gate = signInContext.getStore();
  let attemptId: string;
  if (gate) {
    // The gate throttled the email it read; a body that names another one is refused.
    if (gate.email !== email) return null;
    attemptId = gate.attemptId;
    gate.settled = true;
  } else {
    const reservation = await reserveSignInAttempt(db, { email, client: origin.clientAddress });
    if (reservation.attemptId === undefined) return null;
    attemptId = reservation.attemptId;
  }

  const parsed = credentialsSchema.safeParse(credentials ?? {});
  const admin = parsed.success ? await findAdminByEmail(db, parsed.data.email) : undefined;
  // Compare against a decoy when the email is unknown: same work, same timing.
  const password = parsed.success ? parsed.data.password : '';
  const ok = parsed.success && (await verifyPassword(password, admin?.password_hash ?? (await decoyHash())));
  const accepted = Boolean(admin && ok && admin.disabled_at === null);
  await settleSignInAttempt(db, attemptId, accepted);
  if (!admin || !accepted) return null;

  const [environment] = await listEnvironments(db, admin.tenant_id);
  if (!environment) return null;
  if (needsRehash(admin.password_hash)) await replacePasswordHash(db, admin.id, await hashPassword(password));
  await recordAudit(db, { tenantId: admin.tenant_id, environmentId: null, adminId: admin.id, action: 'auth.signed_in', origin });
  return {
    id: admin.id,
    email: admin.email,
    name: admin.name,
    role: admin.role,
    tenantId: admin.tenant_id,
    tenantName: admin.tenant_name,
    environmentId: environment.id,
    sessionVersion: admin.session_version,
  };
}
