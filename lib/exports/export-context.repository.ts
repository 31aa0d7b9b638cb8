import type { Db } from '../db/client';
import type { EventsQuery } from './events-copy';

/** Everything an export needs to name and fill its file, scoped by tenant and environment. */
export function findExportSubject(db: Db, scope: { tenantId: string; environmentId: string; userId: string }) {
  return db
    .selectFrom('users')
    .innerJoin('environments', (join) => join.onRef('environments.id', '=', 'users.environment_id').onRef('environments.tenant_id', '=', 'users.tenant_id'))
    .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
    .select([
      'users.id',
      'users.email',
      'users.name',
      'users.created_at',
      'users.last_login_at',
      'tenants.slug as tenant_slug',
      'environments.slug as environment_slug',
    ])
    .where('users.tenant_id', '=', scope.tenantId)
    .where('users.environment_id', '=', scope.environmentId)
    .where('users.id', '=', scope.userId)
    .executeTakeFirst();
}

/**
 * The user's event count, the progress total an export is marked running with. Read from
 * user_event_counts (kept exact by triggers on events, in the same transactions): counting
 * the user's index entries took ~0.5 s per million events before the stream could start
 * (docs/benchmarks.md). No row: no events yet.
 */
export async function countUserEvents(db: Db, scope: EventsQuery): Promise<number> {
  if (scope.from || scope.to) return countUserEventsInRange(db, scope);
  const row = await db
    .selectFrom('user_event_counts')
    .select('event_count')
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('user_id', '=', scope.userId)
    .executeTakeFirst();
  return Number(row?.event_count ?? 0);
}

/**
 * A ranged export's total: user_event_counts holds only whole-user counts, so count the
 * range itself, bounded on events_user_time_idx (an index-only scan of the range's entries).
 */
async function countUserEventsInRange(db: Db, query: EventsQuery): Promise<number> {
  let select = db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', query.tenantId)
    .where('environment_id', '=', query.environmentId)
    .where('user_id', '=', query.userId);
  if (query.from) select = select.where('occurred_at', '>=', new Date(query.from));
  if (query.to) select = select.where('occurred_at', '<', new Date(query.to));
  const row = await select.executeTakeFirstOrThrow();
  return Number(row.n);
}
