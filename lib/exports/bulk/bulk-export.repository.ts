import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/client';
import type { BulkExportRowUpdate, Database } from '../../db/schema';
import type { Scope } from '../../scope';
import type { ExportOptions } from '../export.contracts';
import { type BulkExportStatusValue, type BulkUserStatusValue, bulkFailuresListed, bulkInFlightStatuses } from './bulk-export.contracts';

type DbOrTx = Db | Transaction<Database>;

/** A bulk export with its requester's email. Every query filters by tenant and environment. */
function selectBulkView(db: DbOrTx, scope: Scope) {
  return db
    .selectFrom('bulk_exports')
    .innerJoin('admins', 'admins.id', 'bulk_exports.requested_by')
    .selectAll('bulk_exports')
    .select('admins.email as requested_by_email')
    .where('bulk_exports.tenant_id', '=', scope.tenantId)
    .where('bulk_exports.environment_id', '=', scope.environmentId);
}

export type BulkExportView = Awaited<ReturnType<typeof findBulkExport>> & {};

export function findBulkExport(db: DbOrTx, scope: Scope, id: string) {
  return selectBulkView(db, scope).where('bulk_exports.id', '=', id).executeTakeFirst();
}

export function listBulkExports(db: DbOrTx, scope: Scope, page: { after?: { createdAt: Date; id: string }; limit: number }) {
  let query = selectBulkView(db, scope);
  if (page.after) {
    const { createdAt, id } = page.after;
    query = query.where((eb) => eb(eb.refTuple('bulk_exports.created_at', 'bulk_exports.id'), '<', eb.tuple(createdAt, id)));
  }
  return query.orderBy('bulk_exports.created_at', 'desc').orderBy('bulk_exports.id', 'desc').limit(page.limit).execute();
}

/** The ids among `userIds` that are users of this environment. */
export async function findUsersInScope(db: DbOrTx, scope: Scope, userIds: string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', 'in', userIds)
    .execute();
  return new Set(rows.map((r) => r.id));
}

export async function insertBulkExport(
  tx: DbOrTx,
  row: { id: string; scope: Scope; requestedBy: string; workflowId: string; all: boolean; options: ExportOptions; usersTotal: number },
): Promise<void> {
  await tx
    .insertInto('bulk_exports')
    .values({
      id: row.id,
      tenant_id: row.scope.tenantId,
      environment_id: row.scope.environmentId,
      requested_by: row.requestedBy,
      status: 'queued',
      workflow_id: row.workflowId,
      all_users: row.all,
      format: row.options.format,
      range_from: row.options.from,
      range_to: row.options.to,
      users_total: row.usersTotal,
    })
    .execute();
}

/**
 * The snapshot of the bulk's users, numbered 1…n by email: the parent workflow pages
 * through it by position, so users added to the environment later are not picked up and
 * none is exported twice. `userIds` undefined: every user of the environment.
 */
export async function insertBulkUsers(tx: DbOrTx, scope: Scope, bulkExportId: string, userIds?: string[]): Promise<number> {
  const ids = userIds ? sql`and id = any(${userIds}::uuid[])` : sql``;
  const result = await sql`
    insert into bulk_export_users (bulk_export_id, tenant_id, environment_id, position, user_id)
    select ${bulkExportId}::uuid, tenant_id, environment_id, row_number() over (order by email, id), id
    from users
    where tenant_id = ${scope.tenantId} and environment_id = ${scope.environmentId} ${ids}`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

/** Bulk exports of one environment still queued or running that were requested before `createdBefore` (the reconciler's sweep). */
export function findInFlightBulkExportsCreatedBefore(db: DbOrTx, scope: Scope, createdBefore: Date, limit: number) {
  return db
    .selectFrom('bulk_exports')
    .select(['id', 'workflow_id', 'status'])
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('status', 'in', bulkInFlightStatuses)
    .where('created_at', '<', createdBefore)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Users in the environment, the count "Export all users" confirms. */
export async function countUsersInScope(db: DbOrTx, scope: Scope): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The tenant's bulk exports queued or running (a bound on parent workflows, not on children). */
export async function countTenantBulkExportsInFlight(db: DbOrTx, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('bulk_exports')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', bulkInFlightStatuses)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Sets a bulk's status, only from the states given. Status writes go through bulk-export-lifecycle.ts. */
export function updateBulkStatus(
  db: DbOrTx,
  scope: Scope,
  id: string,
  from: BulkExportStatusValue[],
  set: BulkExportRowUpdate & { status: BulkExportStatusValue },
) {
  return db
    .updateTable('bulk_exports')
    .set({ ...set, updated_at: new Date() })
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
}

/**
 * The rows the bulk will export: the users' event counts (kept by triggers), or with a range
 * the events in it, counted on events_user_time_idx.
 */
export async function countBulkRows(db: DbOrTx, scope: Scope, bulkExportId: string, range: { from: string | null; to: string | null }): Promise<number> {
  const where = sql`b.bulk_export_id = ${bulkExportId} and b.tenant_id = ${scope.tenantId} and b.environment_id = ${scope.environmentId}`;
  if (!range.from && !range.to) {
    const { rows } = await sql<{ n: string | null }>`
      select sum(c.event_count)::bigint as n from bulk_export_users b
      join user_event_counts c on c.tenant_id = b.tenant_id and c.environment_id = b.environment_id and c.user_id = b.user_id
      where ${where}`.execute(db);
    return Number(rows[0]?.n ?? 0);
  }
  const from = range.from ? sql`and e.occurred_at >= ${range.from}::timestamptz` : sql``;
  const to = range.to ? sql`and e.occurred_at < ${range.to}::timestamptz` : sql``;
  const { rows } = await sql<{ n: string }>`
    select count(*)::bigint as n from bulk_export_users b
    join events e on e.tenant_id = b.tenant_id and e.environment_id = b.environment_id and e.user_id = b.user_id ${from} ${to}
    where ${where}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** The next `limit` users still pending after `afterPosition`, in position order. */
export function findPendingBulkUsers(db: DbOrTx, scope: Scope, bulkExportId: string, afterPosition: number, limit: number) {
  return db
    .selectFrom('bulk_export_users')
    .select(['position', 'user_id as userId'])
    .where('bulk_export_id', '=', bulkExportId)
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('position', '>', afterPosition)
    .where('status', '=', 'pending')
    .orderBy('position')
    .limit(limit)
    .execute();
}

export function findBulkUser(db: DbOrTx, scope: Scope, bulkExportId: string, position: number) {
  return db
    .selectFrom('bulk_export_users')
    .selectAll()
    .where('bulk_export_id', '=', bulkExportId)
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('position', '=', position)
    .executeTakeFirst();
}

/** Moves one user of the bulk from one of `from` to `set.status`; false if it was elsewhere. */
export async function updateBulkUser(
  db: DbOrTx,
  scope: Scope,
  bulkExportId: string,
  position: number,
  from: BulkUserStatusValue[],
  set: { status: BulkUserStatusValue; export_id?: string; rows?: number | null; error_summary?: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('bulk_export_users')
    .set(set)
    .where('bulk_export_id', '=', bulkExportId)
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('position', '=', position)
    .where('status', 'in', from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Adds one user's ending to the bulk's counters. */
export async function addToBulkCounters(db: DbOrTx, scope: Scope, id: string, ending: 'completed' | 'failed' | 'cancelled', rows: number): Promise<void> {
  await db
    .updateTable('bulk_exports')
    .set((eb) => ({
      users_done: ending === 'completed' ? eb('users_done', '+', 1) : eb.ref('users_done'),
      users_failed: ending === 'failed' ? eb('users_failed', '+', 1) : eb.ref('users_failed'),
      users_cancelled: ending === 'cancelled' ? eb('users_cancelled', '+', 1) : eb.ref('users_cancelled'),
      rows_done: eb('rows_done', '+', rows),
      updated_at: new Date(),
    }))
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', '=', id)
    .execute();
}

/** Users not started when the bulk ended (cancelled or failed): they end `cancelled`, counted once. */
export async function cancelPendingBulkUsers(db: DbOrTx, scope: Scope, bulkExportId: string): Promise<number> {
  const result = await db
    .updateTable('bulk_export_users')
    .set({ status: 'cancelled' })
    .where('bulk_export_id', '=', bulkExportId)
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  const n = Number(result.numUpdatedRows);
  if (n > 0) {
    await db
      .updateTable('bulk_exports')
      .set((eb) => ({ users_cancelled: eb('users_cancelled', '+', n), updated_at: new Date() }))
      .where('tenant_id', '=', scope.tenantId)
      .where('environment_id', '=', scope.environmentId)
      .where('id', '=', bulkExportId)
      .execute();
  }
  return n;
}

/** The bulk's users whose export is still running (their child workflows should have ended them). */
export function findRunningBulkUsers(db: DbOrTx, scope: Scope, bulkExportId: string) {
  return db
    .selectFrom('bulk_export_users')
    .select(['position', 'export_id'])
    .where('bulk_export_id', '=', bulkExportId)
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('status', '=', 'running')
    .orderBy('position')
    .execute();
}

/** Rows written so far by each bulk's exports in flight (few: bounded by the tenant's concurrency cap). */
export async function liveRowsOfBulks(db: DbOrTx, scope: Scope, bulkIds: string[]): Promise<Map<string, number>> {
  if (bulkIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('exports')
    .select(['bulk_export_id', (eb) => eb.fn.sum<string>('rows_exported').as('rows')])
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('bulk_export_id', 'in', bulkIds)
    .where('status', 'in', ['queued', 'running'])
    .groupBy('bulk_export_id')
    .execute();
  return new Map(rows.map((r) => [r.bulk_export_id as string, Number(r.rows)]));
}

/** The first failures of each bulk, by position, with the user's email. */
export async function failuresOfBulks(db: DbOrTx, scope: Scope, bulkIds: string[]) {
  if (bulkIds.length === 0) return [];
  const { rows } = await sql<{ bulk_export_id: string; user_id: string; user_email: string; export_id: string | null; error_summary: string | null }>`
    select ids.id as bulk_export_id, f.user_id, f.email as user_email, f.export_id, f.error_summary
    from unnest(${bulkIds}::uuid[]) as ids(id)
    cross join lateral (
      select b.user_id, u.email, b.export_id, b.error_summary
      from bulk_export_users b
      join users u on u.tenant_id = b.tenant_id and u.environment_id = b.environment_id and u.id = b.user_id
      where b.bulk_export_id = ids.id and b.tenant_id = ${scope.tenantId} and b.environment_id = ${scope.environmentId} and b.status = 'failed'
      order by b.position
      limit ${bulkFailuresListed}
    ) f`.execute(db);
  return rows;
}

/**
 * One page of the bulk's users in position order, with their export's file: what the bulk
 * ZIP and its manifest are written from.
 */
export function findBulkUsersWithFiles(db: DbOrTx, scope: Scope, bulkExportId: string, afterPosition: number, limit: number) {
  return db
    .selectFrom('bulk_export_users as b')
    .innerJoin('users as u', (j) =>
      j.onRef('u.id', '=', 'b.user_id').onRef('u.tenant_id', '=', 'b.tenant_id').onRef('u.environment_id', '=', 'b.environment_id'),
    )
    .leftJoin('exports as e', (j) =>
      j.onRef('e.id', '=', 'b.export_id').onRef('e.tenant_id', '=', 'b.tenant_id').onRef('e.environment_id', '=', 'b.environment_id'),
    )
    .select([
      'b.position',
      'b.user_id',
      'b.status',
      'b.export_id',
      'b.error_summary',
      'u.email',
      'e.object_key',
      'e.status as export_status',
      'e.rows_exported',
      'e.bytes',
      'e.sha256',
    ])
    .where('b.bulk_export_id', '=', bulkExportId)
    .where('b.tenant_id', '=', scope.tenantId)
    .where('b.environment_id', '=', scope.environmentId)
    .where('b.position', '>', afterPosition)
    .orderBy('b.position')
    .limit(limit)
    .execute();
}

/** The queued exports of a bulk (rows whose child workflow never started). */
export function findQueuedBulkChildren(db: DbOrTx, scope: Scope, bulkExportId: string) {
  return db
    .selectFrom('exports')
    .select(['id'])
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('bulk_export_id', '=', bulkExportId)
    .where('status', '=', 'queued')
    .execute();
}

/** Completed bulk exports of one environment whose ZIP is due for deletion, oldest due first. */
export function findBulkExportsDueForDeletion(db: DbOrTx, scope: Scope, dueBy: Date, limit: number) {
  return db
    .selectFrom('bulk_exports')
    .select(['id', 'expires_at'])
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('status', '=', 'completed')
    .where('expires_at', '<=', dueBy)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}
