import { getServerSession } from 'next-auth';
import { connection } from 'next/server';
import type { SessionAdmin } from '../../types/next-auth';
import { authOptions } from './auth-options';

/** The signed-in admin, or null. Tenant and environment come from here and nowhere else. */
export async function currentAdmin(): Promise<SessionAdmin | null> {
  // Per-request by nature: never prerender at build time (no configuration exists then).
  await connection();
  const session = await getServerSession(authOptions());
  return session?.admin ?? null;
}
