import { sql } from 'kysely';
import type { Db } from '../../lib/db/client';
import { insertGeneratedEvents } from '../../lib/db/seed-events';
import { deleteEvents, ensureUser, eventsStartAt, type Scope } from './seed-bench-data';

/**
 * The user-list bench's data (issue 10: `GET /api/users` with 10M events in the
 * environment): environment `users-10m` of tenant bench, 100 users of 100,000 events each,
 * generated in SQL and written idempotently, so the ~3 minutes of inserts happen once per
 * data dir. Seeded only when the `users` section runs.
 */

export const usersEnvSlug = 'users-10m';
const userCount = 100;
const eventsPerUser = 100_000;

export interface UsersEnv extends Scope {
  users: number;
  eventsPerUser: number;
  totalEvents: number;
}

export const usersEnvEmail = (i: number) => `bench-users-${String(i).padStart(3, '0')}@bench.example`;

export async function seedUsersEnvironment(db: Db, tenantId: string, log: (line: string) => void): Promise<UsersEnv> {
  const environment = await db
    .insertInto('environments')
    .values({ tenant_id: tenantId, slug: usersEnvSlug, name: 'Users 10M (bench)' })
    .onConflict((oc) => oc.columns(['tenant_id', 'slug']).doUpdateSet({ name: 'Users 10M (bench)' }))
    .returning('id')
    .executeTakeFirstOrThrow();
  const scope: Scope = { tenantId, environmentId: environment.id };
  const ids: string[] = [];
  for (let i = 0; i < userCount; i++) ids.push(await ensureUser(db, scope, usersEnvEmail(i), `Users ${i}`));

  // Counted from the events themselves, not from user_event_counts: the counter is what the
  // bench exercises, so it must not also be what decides the data is right.
  const counts = await db
    .selectFrom('events')
    .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('environment_id', '=', environment.id)
    .groupBy('user_id')
    .execute();
  const have = new Map(counts.map((c) => [c.user_id, Number(c.n)]));
  const todo = ids.filter((id) => have.get(id) !== eventsPerUser);
  if (todo.length > 0) {
    log(`${usersEnvSlug}: generating ${(todo.length * eventsPerUser).toLocaleString('en')} events for ${todo.length} users (once per data dir)`);
    const started = Date.now();
    // Two at a time: inserts are CPU-bound in Postgres, and the machine has two cores.
    const queue = [...todo];
    const insertNext = async (): Promise<void> => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const user = { ...scope, userId: id };
        if (have.has(id)) await deleteEvents(db, user);
        await insertGeneratedEvents(db, user, eventsPerUser, eventsStartAt);
      }
    };
    await Promise.all([insertNext(), insertNext()]);
    log(`${usersEnvSlug}: seeded in ${((Date.now() - started) / 1000).toFixed(0)} s; vacuum analyze events`);
    await sql`vacuum analyze events`.execute(db);
  }
  return { ...scope, users: userCount, eventsPerUser, totalEvents: userCount * eventsPerUser };
}
