import type { AdminRole } from '../lib/db/schema';

/** What the signed-in admin's JWT session carries: ids only, plus names for the header. */
export interface SessionAdmin {
  id: string;
  email: string;
  name: string;
  role: AdminRole;
  tenantId: string;
  tenantName: string;
  environmentId: string;
}

declare module 'next-auth' {
  interface Session {
    admin: SessionAdmin;
  }
  interface User extends SessionAdmin {
    sessionVersion: number;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    admin?: SessionAdmin;
    /** Sign-in time, epoch seconds: the session ends SESSION_MAX_AGE_SECONDS after it. */
    authTime?: number;
    /** admins.session_version at sign-in; a bump ends the session. */
    sessionVersion?: number;
  }
}
