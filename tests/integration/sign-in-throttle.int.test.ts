import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../lib/db/client';
import { migrateToLatest } from '../../lib/db/migrator';
import { pruneSignInAttempts, releaseSignInAttempt, reserveSignInAttempt, settleSignInAttempt, signInThrottle } from '../../lib/auth/sign-in-throttle';
import { createScratchDatabase } from '../support/scratch-database';

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
const fresh = () => `${randomUUID()}@throttle.test`;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  await migrateToLatest(scratch.db);
});
afterAll(async () => {
  await scratch?.drop();
});

async function fail(email: string, client: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const r = await reserveSignInAttempt(scratch.db, { email, client });
    if (r.attemptId === undefined) throw new Error(`attempt ${i + 1} was refused`);
    await settleSignInAttempt(scratch.db, r.attemptId, false);
  }
}

describe('sign-in throttle on real Postgres', () => {
  it('lets at most the limit of 50 parallel attempts through: check and record are one step', async () => {
    const email = fresh();
    // A pool as wide as the burst, so the reservations really overlap in the database.
    const wide = createDb(scratch.url, 50);
    try {
      const results = await Promise.all(Array.from({ length: 50 }, () => reserveSignInAttempt(wide, { email, client: '198.51.100.7' })));
      const admitted = results.filter((r) => r.attemptId !== undefined);
      expect(admitted).toHaveLength(signInThrottle.maxPerPair);
      for (const r of results.filter((r) => r.retryAfter !== undefined)) expect(r.retryAfter).toBeGreaterThan(signInThrottle.windowSeconds - 60);
    } finally {
      await wide.destroy();
    }
  });

  it('limits the (email, client) pair; the same email from another client still gets in', async () => {
    const email = fresh();
    await fail(email, '203.0.113.1', signInThrottle.maxPerPair);
    expect((await reserveSignInAttempt(scratch.db, { email, client: '203.0.113.1' })).retryAfter).toBeGreaterThan(0);
    expect((await reserveSignInAttempt(scratch.db, { email, client: '203.0.113.2' })).attemptId).toBeDefined();
  });

  it('a known client is exempt from the per-email ceiling', async () => {
    const email = fresh();
    const own = '192.0.2.10';
    const ok = await reserveSignInAttempt(scratch.db, { email, client: own });
    await settleSignInAttempt(scratch.db, ok.attemptId!, true);
    // An attacker spread over many addresses reaches the per-email ceiling…
    for (let i = 0; i < signInThrottle.maxPerEmail; i++) await fail(email, `10.9.${Math.floor(i / 200)}.${i % 200}`, 1);
    expect((await reserveSignInAttempt(scratch.db, { email, client: '10.200.0.1' })).retryAfter).toBeGreaterThan(0);
    // …which does not lock the admin out of the browser they signed in from before.
    expect((await reserveSignInAttempt(scratch.db, { email, client: own })).attemptId).toBeDefined();
  });

  it('a shared address (office NAT) past the per-client ceiling still lets in an admin who signed in from it before', async () => {
    const office = '198.51.100.77';
    const colleague = fresh();
    const ok = await reserveSignInAttempt(scratch.db, { email: colleague, client: office });
    await settleSignInAttempt(scratch.db, ok.attemptId!, true);
    // Someone behind the same address sprays wrong passwords over many emails…
    for (let i = 0; i < signInThrottle.maxPerClient; i++) await fail(fresh(), office, 1);
    expect((await reserveSignInAttempt(scratch.db, { email: fresh(), client: office })).retryAfter).toBeGreaterThan(0);
    // …which does not lock out the colleague who signs in from there.
    expect((await reserveSignInAttempt(scratch.db, { email: colleague, client: office })).attemptId).toBeDefined();
  });

  it('a released attempt (stale form token) costs nothing', async () => {
    const email = fresh();
    for (let i = 0; i < signInThrottle.maxPerPair + 3; i++) {
      const r = await reserveSignInAttempt(scratch.db, { email, client: '192.0.2.99' });
      expect(r.attemptId).toBeDefined();
      await releaseSignInAttempt(scratch.db, r.attemptId!);
    }
  });

  it('prunes failures past a day and successes past the known-client period', async () => {
    const email = fresh();
    await fail(email, '192.0.2.50', 2);
    await sql`update sign_in_attempts set created_at = now() - interval '2 days' where email = ${email}`.execute(scratch.db);
    const kept = fresh();
    await fail(kept, '192.0.2.51', 1);
    expect(await pruneSignInAttempts(scratch.db)).toBeGreaterThanOrEqual(2);
    const { rows } = await sql<{ email: string }>`select email from sign_in_attempts where email in (${email}, ${kept})`.execute(scratch.db);
    expect(rows.map((r) => r.email)).toEqual([kept]);
  });
});
