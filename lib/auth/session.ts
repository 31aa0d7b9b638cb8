import { getServerSession } from 'next-auth';
import type { SessionAdmin } from '../../types/next-auth';
import { authOptions } from './auth-options';

/** The signed-in admin, or null. Tenant and environment come from here and nowhere else. */
export async function currentAdmin(): Promise<SessionAdmin | null> {
  const session = await getServerSession(authOptions());
  return session?.admin ?? null;
}
