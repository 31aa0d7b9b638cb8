import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '../../lib/db/web-db';
import type { Scope } from '../../lib/scope';
import { listUsers } from '../../lib/users/user.service';

/**
 * The users list's event counts come from the trigger-maintained user_event_counts table
 * (issue 10 §7), not from counting each user's events per request. Checked on real
 * Postgres against count(*) after single and bulk inserts, deletes, moves and a user's
 * deletion.
 */
const db = getDb();
let scope: Scope;
const createdUsers: string[] = [];

async function newUser(): Promise<{ id: string; email: string }> {
  const email = `counts-${randomUUID()}@counts.test`;
  const row = await db
    .insertInto('users')
    .values({ tenant_id: scope.tenantId, environment_id: scope.environmentId, email, name: 'Count Test' })
    .returning('id')
    .executeTakeFirstOrThrow();
  createdUsers.push(row.id);
  return { id: row.id, email };
}

/** Inserts `n` events for the user in one statement (one trigger run for the batch). */
async function addEvents(userId: string, n: number): Promise<void> {
  await sql`insert into events (tenant_id, environment_id, user_id, type, occurred_at)
    select ${scope.tenantId}::uuid, ${scope.environmentId}::uuid, ${userId}::uuid, 'count.test', now() - make_interval(secs => g)
    from generate_series(1, ${n}) g`.execute(db);
}

async function listedCount(email: string): Promise<number | undefined> {
  const page = await listUsers(scope, { search: email, limit: 5 });
  return page.users.find((u) => u.email === email)?.eventCount;
}

async function realCount(userId: string): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  const env = await db.selectFrom('environments').select(['id', 'tenant_id']).where('slug', '=', 'production').orderBy('id').executeTakeFirstOrThrow();
  scope = { tenantId: env.tenant_id, environmentId: env.id };
});

afterAll(async () => {
  if (createdUsers.length) await db.deleteFrom('users').where('id', 'in', createdUsers).execute();
  await db.destroy();
});

describe('user event counts', () => {
  it('a user with no events lists 0', async () => {
    const user = await newUser();
    expect(await listedCount(user.email)).toBe(0);
  });

  it('follow single and bulk inserts and deletes', async () => {
    const user = await newUser();
    await addEvents(user.id, 1);
    expect(await listedCount(user.email)).toBe(1);
    await addEvents(user.id, 2_500);
    expect(await listedCount(user.email)).toBe(2_501);

    await sql`delete from events where user_id = ${user.id} and id in (select id from events where user_id = ${user.id} limit 500)`.execute(db);
    expect(await listedCount(user.email)).toBe(2_001);
    expect(await realCount(user.id)).toBe(2_001);

    await db.deleteFrom('events').where('user_id', '=', user.id).execute();
    expect(await listedCount(user.email)).toBe(0);
  });

  it('an update moving events to another user moves their count', async () => {
    const from = await newUser();
    const to = await newUser();
    await addEvents(from.id, 30);
    await addEvents(to.id, 5);
    await sql`update events set user_id = ${to.id} where id in (select id from events where user_id = ${from.id} limit 10)`.execute(db);
    // An update of other columns leaves the counts alone.
    await sql`update events set type = 'count.renamed' where user_id = ${to.id}`.execute(db);
    expect([await listedCount(from.email), await listedCount(to.email)]).toEqual([20, 15]);
    expect([await realCount(from.id), await realCount(to.id)]).toEqual([20, 15]);
  });

  it('a deleted user takes its counter with it', async () => {
    const user = await newUser();
    await addEvents(user.id, 3);
    await db.deleteFrom('users').where('id', '=', user.id).execute();
    const left = await sql`select 1 from user_event_counts where user_id = ${user.id}`.execute(db);
    expect(left.rows).toEqual([]);
  });

  it('the list reads the maintained counter, not the events', async () => {
    const user = await newUser();
    await addEvents(user.id, 2);
    // A value only the counter table holds: the list must show it.
    await sql`update user_event_counts set event_count = 123456789 where user_id = ${user.id}`.execute(db);
    expect(await listedCount(user.email)).toBe(123_456_789);
  });
});
