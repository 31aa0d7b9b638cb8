import { sql } from 'kysely';
import type { Db } from '../db/client';

/**
 * Sign-in throttling, kept in Postgres so it holds across web processes. Failures count
 * per email (since its last success) and per client address within a window; past the
 * cap, sign-in is refused until the oldest counted failure leaves the window.
 */
export const signInThrottle = { windowSeconds: 15 * 60, maxPerEmail: 5, maxPerClient: 20 } as const;

export interface SignInKey {
  email: string;
  client: string;
}

export async function recordSignInAttempt(db: Db, key: SignInKey, succeeded: boolean): Promise<void> {
  await db.insertInto('sign_in_attempts').values({ email: key.email.trim().toLowerCase(), client: key.client, succeeded }).execute();
}

/** Seconds until sign-in is allowed again for this email or client, or null when it is now. */
export async function signInRetryAfter(db: Db, key: SignInKey): Promise<number | null> {
  const email = key.email.trim().toLowerCase();
  const window = `${signInThrottle.windowSeconds} seconds`;
  const { rows } = await sql<{ by_email: Date | null; by_client: Date | null }>`
    select
      (select created_at from sign_in_attempts f
        where f.email = ${email} and not f.succeeded and f.created_at > now() - ${window}::interval
          and f.created_at > coalesce((select max(created_at) from sign_in_attempts s where s.email = ${email} and s.succeeded), '-infinity')
        order by created_at desc offset ${signInThrottle.maxPerEmail - 1} limit 1) as by_email,
      (select created_at from sign_in_attempts f
        where f.client = ${key.client} and not f.succeeded and f.created_at > now() - ${window}::interval
        order by created_at desc offset ${signInThrottle.maxPerClient - 1} limit 1) as by_client
  `.execute(db);
  const row = rows[0];
  // The Nth most recent failure inside the window decides when the window frees a slot.
  const blockers = [row?.by_email, row?.by_client].filter((d): d is Date => d instanceof Date);
  if (blockers.length === 0) return null;
  const until = Math.max(...blockers.map((d) => d.getTime() + signInThrottle.windowSeconds * 1000));
  return Math.max(1, Math.ceil((until - Date.now()) / 1000));
}

/** The client address as the proxy in front reports it; 'unknown' when there is none. */
export function clientAddress(headers: Headers | Record<string, string | string[] | undefined>): string {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : [headers[name]].flat()[0]) ?? undefined;
  return get('x-forwarded-for')?.split(',')[0]?.trim() || get('x-real-ip')?.trim() || 'unknown';
}
