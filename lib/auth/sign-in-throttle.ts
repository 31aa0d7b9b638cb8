import { sql } from 'kysely';
import type { Db } from '../db/client';

/**
 * Sign-in throttling, kept in Postgres so it holds across web processes.
 *
 * - Per (email, client): the tight limit. 5 failures since that pair's last success,
 *   within the window, and that pair waits.
 * - Per email and per client: only high ceilings, against guessing from many addresses and
 *   spraying many emails from one. They do not apply to a client that signed in as that
 *   email recently, so neither an attacker nor a shared office address can lock the real
 *   admin out of their own browser.
 *
 * The check and the record are one step: under advisory locks on the email and the client,
 * the counts are read and a pending attempt is inserted, which counts as a failure until
 * the password check settles it. A burst of parallel attempts therefore queues on the lock
 * and at most the limit of them reach the password check.
 */
export const signInThrottle = {
  windowSeconds: 15 * 60,
  maxPerPair: 5,
  maxPerEmail: 50,
  maxPerClient: 100,
  /** A success this recent makes the client "known" for that email. */
  knownClientDays: 30,
} as const;

export interface SignInKey {
  email: string;
  client: string;
}

export type Reservation = { attemptId: string; retryAfter?: undefined } | { attemptId?: undefined; retryAfter: number };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase().slice(0, 320);
}

/** Checks the limits and, when sign-in may proceed, records a pending attempt: atomically. */
export async function reserveSignInAttempt(db: Db, key: SignInKey): Promise<Reservation> {
  const email = normalizeEmail(key.email);
  const client = key.client.slice(0, 200);
  const reservation = await db.transaction().execute(async (tx) => {
    // Always email first, then client: every transaction takes the locks in the same order.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`sign-in:email:${email}`}, 0))`.execute(tx);
    await sql`select pg_advisory_xact_lock(hashtextextended(${`sign-in:client:${client}`}, 0))`.execute(tx);
    const blockedUntil = await blockingFailure(tx, email, client);
    if (blockedUntil) {
      const until = blockedUntil.getTime() + signInThrottle.windowSeconds * 1000;
      return { retryAfter: Math.max(1, Math.ceil((until - Date.now()) / 1000)) };
    }
    const row = await tx.insertInto('sign_in_attempts').values({ email, client, succeeded: null }).returning('id').executeTakeFirstOrThrow();
    return { attemptId: String(row.id) };
  });
  await pruneNowAndThen(db);
  return reservation;
}

/** Records how a reserved attempt ended. */
export async function settleSignInAttempt(db: Db, attemptId: string, succeeded: boolean): Promise<void> {
  await db.updateTable('sign_in_attempts').set({ succeeded }).where('id', '=', attemptId).execute();
}

/** Forgets a reserved attempt that never reached the password check (a stale form token). */
export async function releaseSignInAttempt(db: Db, attemptId: string): Promise<void> {
  await db.deleteFrom('sign_in_attempts').where('id', '=', attemptId).where('succeeded', 'is', null).execute();
}

/**
 * The failure that decides when a slot frees up (the Nth most recent inside the window), or
 * null when sign-in may proceed. Pending attempts count as failures.
 */
async function blockingFailure(db: Db, email: string, client: string): Promise<Date | null> {
  const window = `${signInThrottle.windowSeconds} seconds`;
  const known = `${signInThrottle.knownClientDays} days`;
  const { rows } = await sql<{ by_pair: Date | null; by_email: Date | null; by_client: Date | null }>`
    with known as (
      select exists (
        select 1 from sign_in_attempts
        where email = ${email} and client = ${client} and succeeded and created_at > now() - ${known}::interval
      ) as yes
    ),
    pair_since as (
      select coalesce(max(created_at), '-infinity') as at from sign_in_attempts
      where email = ${email} and client = ${client} and succeeded
    )
    select
      (select created_at from sign_in_attempts
        where email = ${email} and client = ${client} and succeeded is not true
          and created_at > now() - ${window}::interval and created_at > (select at from pair_since)
        order by created_at desc offset ${signInThrottle.maxPerPair - 1} limit 1) as by_pair,
      (select created_at from sign_in_attempts
        where not (select yes from known) and email = ${email} and succeeded is not true
          and created_at > now() - ${window}::interval
        order by created_at desc offset ${signInThrottle.maxPerEmail - 1} limit 1) as by_email,
      (select created_at from sign_in_attempts
        where not (select yes from known) and client = ${client} and succeeded is not true
          and created_at > now() - ${window}::interval
        order by created_at desc offset ${signInThrottle.maxPerClient - 1} limit 1) as by_client
  `.execute(db);
  const row = rows[0];
  const blockers = [row?.by_pair, row?.by_email, row?.by_client].filter((d): d is Date => d instanceof Date);
  return blockers.length ? new Date(Math.max(...blockers.map((d) => d.getTime()))) : null;
}

// Attackers choose emails freely, so old rows are pruned: failures once out of the window
// (a day's margin), successes once they no longer make a client "known".
const pruneEveryMs = 10 * 60 * 1000;
let lastPrune = 0;

async function pruneNowAndThen(db: Db): Promise<void> {
  if (Date.now() - lastPrune < pruneEveryMs) return;
  lastPrune = Date.now();
  await pruneSignInAttempts(db).catch((error) => console.error('pruning sign_in_attempts failed:', error));
}

export async function pruneSignInAttempts(db: Db): Promise<number> {
  const result = await db
    .deleteFrom('sign_in_attempts')
    .where((eb) =>
      eb.or([
        eb('created_at', '<', sql<Date>`now() - ${`${signInThrottle.knownClientDays} days`}::interval`),
        eb.and([eb('succeeded', 'is not', true), eb('created_at', '<', sql<Date>`now() - interval '1 day'`)]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
