import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/client';
import type { Database } from '../db/schema';
import type { Scope } from '../scope';

type DbOrTx = Db | Transaction<Database>;

export function findUser(db: DbOrTx, scope: Scope, id: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * One page of users by email, each with its event count. The count is read from
 * user_event_counts (kept by triggers on events), one row per user, so a page costs the
 * same whether its users have ten events or ten million (review M7). No row: no events yet.
 */
export function listUsers(db: DbOrTx, scope: Scope, filter: { search?: string; after?: { email: string; id: string }; limit: number }) {
  let query = db
    .selectFrom('users as u')
    .leftJoin('user_event_counts as c', (j) =>
      j.onRef('c.tenant_id', '=', 'u.tenant_id').onRef('c.environment_id', '=', 'u.environment_id').onRef('c.user_id', '=', 'u.id'),
    )
    // The user's newest export, one index probe each (exports_user_created_idx).
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('exports as x')
          .select(['x.id as export_id', 'x.status as export_status', 'x.rows_exported', 'x.rows_total', 'x.expires_at'])
          .whereRef('x.tenant_id', '=', 'u.tenant_id')
          .whereRef('x.environment_id', '=', 'u.environment_id')
          .whereRef('x.user_id', '=', 'u.id')
          .orderBy('x.created_at', 'desc')
          .limit(1)
          .as('x'),
      (join) => join.onTrue(),
    )
    .select(['u.id', 'u.email', 'u.name', 'u.created_at', 'u.last_login_at'])
    .select(['x.export_id', 'x.export_status', 'x.rows_exported', 'x.rows_total', 'x.expires_at'])
    .select((eb) => eb.fn.coalesce('c.event_count', sql<number>`0`).as('event_count'))
    .where('u.tenant_id', '=', scope.tenantId)
    .where('u.environment_id', '=', scope.environmentId);
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('u.email', 'ilike', pattern), eb('u.name', 'ilike', pattern)]));
  }
  if (filter.after) {
    const { email, id } = filter.after;
    query = query.where(sql<boolean>`(u.email, u.id) > (${email}, ${id}::uuid)`);
  }
  return query.orderBy('u.email').orderBy('u.id').limit(filter.limit).execute();
}
