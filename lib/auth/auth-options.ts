import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getDb } from '../db/web-db';
import { webEnv } from '../env';
import { isUnavailableError } from '../error-classification';
import { endAdminSessions } from './admin-accounts';
import { findEnvironment } from './admin.repository';
import { checkPassword } from './check-password';
import { activeSessionAdmin } from './session-claims';

const environmentUpdateSchema = z.object({ environmentId: z.uuid() });

/** Thrown from the jwt callback so next-auth clears the cookie of a session that has ended. */
class SessionEndedError extends Error {
  constructor() {
    super('session ended (expired, revoked, or the admin changed)');
    this.name = 'SessionEndedError';
  }
}

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
        authorize: (credentials, req) => checkPassword(credentials, new Headers(req.headers as Record<string, string>)),
      }),
    ],
    callbacks: {
      async jwt({ token, user, trigger, session }) {
        if (user) {
          const { id, email, name, role, tenantId, tenantName, environmentId, sessionVersion } = user;
          token.admin = { id, email: email ?? '', name: name ?? email ?? '', role, tenantId, tenantName, environmentId };
          token.authTime = Math.floor(Date.now() / 1000);
          token.sessionVersion = sessionVersion;
          return token;
        }
        let admin: Awaited<ReturnType<typeof activeSessionAdmin>>;
        try {
          admin = await activeSessionAdmin(getDb(), token, env.SESSION_MAX_AGE_SECONDS);
        } catch (error) {
          // A database outage must not sign everyone out; the API itself fails closed (503).
          if (isUnavailableError(error)) return token;
          throw error;
        }
        if (!admin) throw new SessionEndedError();
        token.admin = admin;
        if (trigger === 'update') {
          // The client asks to switch environment; accept only one of the admin's own tenant.
          const parsed = environmentUpdateSchema.safeParse(session);
          if (parsed.success && (await findEnvironment(getDb(), admin.tenantId, parsed.data.environmentId))) {
            token.admin = { ...admin, environmentId: parsed.data.environmentId };
          }
        }
        return token;
      },
      async session({ session, token }) {
        if (token.admin) session.admin = token.admin;
        return session;
      },
    },
    events: {
      // Sign-out revokes: every token of this admin carries the old version from now on.
      async signOut({ token }) {
        if (token?.admin) await endAdminSessions(getDb(), token.admin.id);
      },
    },
    logger: {
      error(code, metadata) {
        // An ended session is routine (next-auth clears its cookie); anything else is not.
        if (code === 'JWT_SESSION_ERROR' && metadata instanceof SessionEndedError) return;
        console.error(`[next-auth] ${code}`, metadata);
      },
      warn(code) {
        console.warn(`[next-auth] ${code}`);
      },
      debug() {},
    },
  };
}
