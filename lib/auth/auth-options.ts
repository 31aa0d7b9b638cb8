import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDb } from '../db/web-db';
import { webEnv } from '../env';
import { findAdminByEmail, findEnvironment, listEnvironments } from './admin.repository';
import { decoyHash, verifyPassword } from './password';
import { recordAudit } from '../audit/audit.repository';
import { clientAddress, recordSignInAttempt } from './sign-in-throttle';

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().max(320).pipe(z.email()),
  password: z.string().min(1).max(1024),
});

const environmentUpdateSchema = z.object({ environmentId: z.uuid() });

/** Built on first use so `next build` never needs runtime configuration. */
export function authOptions(): AuthOptions {
  const env = webEnv();
  return {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: 'jwt', maxAge: env.SESSION_MAX_AGE_SECONDS },
    jwt: { maxAge: env.SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, req) {
          const parsed = credentialsSchema.safeParse(credentials ?? {});
          if (!parsed.success) return null;
          const db = getDb();
          const admin = await findAdminByEmail(db, parsed.data.email);
          // Compare against a decoy when the email is unknown: same work, same timing.
          const ok = await verifyPassword(parsed.data.password, admin?.password_hash ?? (await decoyHash()));
          // The throttle itself is checked before this runs (app/api/auth/[...nextauth]/route.ts).
          await recordSignInAttempt(db, { email: parsed.data.email, client: clientAddress(req.headers ?? {}) }, Boolean(admin && ok));
          if (!admin || !ok) return null;
          const [environment] = await listEnvironments(db, admin.tenant_id);
          if (!environment) return null;
          await recordAudit(db, { tenantId: admin.tenant_id, environmentId: null, adminId: admin.id, action: 'auth.signed_in' });
          return {
            id: admin.id,
            email: admin.email,
            name: admin.name,
            role: admin.role,
            tenantId: admin.tenant_id,
            tenantName: admin.tenant_name,
            environmentId: environment.id,
          };
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user, trigger, session }) {
        if (user) {
          const { id, email, name, role, tenantId, tenantName, environmentId } = user;
          token.admin = { id, email: email ?? '', name: name ?? email ?? '', role, tenantId, tenantName, environmentId };
        }
        if (trigger === 'update' && token.admin) {
          // The client asks to switch environment; accept only one of the admin's own tenant.
          const parsed = environmentUpdateSchema.safeParse(session);
          if (parsed.success && (await findEnvironment(getDb(), token.admin.tenantId, parsed.data.environmentId))) {
            token.admin = { ...token.admin, environmentId: parsed.data.environmentId };
          }
        }
        return token;
      },
      async session({ session, token }) {
        if (token.admin) session.admin = token.admin;
        return session;
      },
    },
  };
}
