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
  interface User extends SessionAdmin {}
}

declare module 'next-auth/jwt' {
  interface JWT {
    admin?: SessionAdmin;
  }
}
