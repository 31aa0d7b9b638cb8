import { type ExpressionBuilder, sql, type Transaction } from 'kysely';
import type { Db } from '../db/client';
import type { Database, ExportRowUpdate, ExportStatus } from '../db/schema';
import type { Scope } from '../scope';
import { type ExportOptions, inFlightStatuses } from './export.contracts';

type DbOrTx = Db | Transaction<Database>;

/**
 * The scope of a write to one export row, narrowed to its user where the caller knows it:
 * the worker does (its input names the user), so its writes never touch a row of another
 * user even if an input's export id and user id disagree.
 */
export interface ExportRowScope extends Scope {
  userId?: string;
}

/**
 * An export joined with what the API shows of it: the user's and requester's emails, and
 * the newest export that repeats it ("Exported again →"), found through exports_retry_of_idx.
 */
function selectExportView(db: DbOrTx) {
  return (
    db
      .selectFrom('exports')
      .innerJoin('users', 'users.id', 'exports.user_id')
      .innerJoin('admins', 'admins.id', 'exports.requested_by')
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('exports as again')
            .select(['again.id as retried_by_id', 'again.created_at as retried_by_created_at'])
            .whereRef('again.retry_of', '=', 'exports.id')
            .whereRef('again.tenant_id', '=', 'exports.tenant_id')
            .whereRef('again.environment_id', '=', 'exports.environment_id')
            .orderBy('again.created_at', 'desc')
            .limit(1)
            .as('again'),
        (join) => join.onTrue(),
      )
      // Who asked to cancel: the export.cancelled audit row (written when Temporal accepted
      // the cancel, through audit_log_export_idx). Set while "Cancelling…" and after.
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('audit_log as cancel')
            .leftJoin('admins as canceller', 'canceller.id', 'cancel.admin_id')
            .select('canceller.email as cancelled_by_email')
            .whereRef('cancel.export_id', '=', 'exports.id')
            .whereRef('cancel.tenant_id', '=', 'exports.tenant_id')
            .where('cancel.action', '=', 'export.cancelled')
            .orderBy('cancel.created_at')
            .limit(1)
            .as('cancel'),
        (join) => join.onTrue(),
      )
      .selectAll('exports')
      .select([
        'users.email as user_email',
        'admins.email as requested_by_email',
        'again.retried_by_id',
        'again.retried_by_created_at',
        'cancel.cancelled_by_email',
      ])
  );
}

export type ExportView = Awaited<ReturnType<typeof findExport>> & {};

export function findExport(db: DbOrTx, scope: Scope, id: string) {
  return selectExportView(db)
    .where('exports.tenant_id', '=', scope.tenantId)
    .where('exports.environment_id', '=', scope.environmentId)
    .where('exports.id', '=', id)
    .executeTakeFirst();
}

/** An in-flight export of the user with exactly these options (another range or format is another export); any, without options. */
export function findInFlightExportForUser(db: DbOrTx, scope: Scope, userId: string, options?: ExportOptions) {
  const query = selectExportView(db);
  return (options ? withOptions(query, options) : query)
    .where('exports.tenant_id', '=', scope.tenantId)
    .where('exports.environment_id', '=', scope.environmentId)
    .where('exports.user_id', '=', userId)
    .where('exports.status', 'in', inFlightStatuses)
    .executeTakeFirst();
}

/** Narrows an export query to rows with these options; a null bound matches only null. */
function withOptions<Q extends ReturnType<typeof selectExportView>>(query: Q, options: ExportOptions): Q {
  return query
    .where('exports.format', '=', options.format)
    .where(sql<boolean>`exports.range_from is not distinct from ${options.from}::timestamptz`)
    .where(sql<boolean>`exports.range_to is not distinct from ${options.to}::timestamptz`) as Q;
}

export function listExports(
  db: DbOrTx,
  scope: Scope,
  filter: { userId?: string; status?: ExportStatus; after?: { createdAt: Date; id: string }; limit: number },
) {
  let query = selectExportView(db).where('exports.tenant_id', '=', scope.tenantId).where('exports.environment_id', '=', scope.environmentId);
  if (filter.userId) query = query.where('exports.user_id', '=', filter.userId);
  if (filter.status) query = query.where('exports.status', '=', filter.status);
  if (filter.after) {
    const { createdAt, id } = filter.after;
    query = query.where((eb) => eb(eb.refTuple('exports.created_at', 'exports.id'), '<', eb.tuple(createdAt, id)));
  }
  return query.orderBy('exports.created_at', 'desc').orderBy('exports.id', 'desc').limit(filter.limit).execute();
}

/**
 * Serialises export requests for one user across every web process, so the dedupe check
 * and the insert it guards are one step. Requests for other users of the tenant do not wait.
 * Returns whether the user exists in this scope, read in the same round trip (users are not
 * written under this lock, so reading before the wait is as good as after).
 */
export async function lockUserForExports(tx: Transaction<Database>, scope: Scope, userId: string): Promise<boolean> {
  const { rows } = await sql<{
    found: boolean;
  }>`select pg_advisory_xact_lock(hashtextextended(${`exports:${scope.tenantId}:${scope.environmentId}:${userId}`}, 0)),
    exists(select 1 from users where tenant_id = ${scope.tenantId} and environment_id = ${scope.environmentId} and id = ${userId}) as found`.execute(tx);
  return rows[0]?.found === true;
}

/** The advisory lock that serialises a tenant's cap checks with their inserts. */
const tenantLockKey = (tenantId: string) => `exports:${tenantId}`;

/**
 * A new export's view (findExport) read in the statement that takes the tenant lock
 * (lockTenantForExports): one round trip less per request. The row is this transaction's
 * own insert, so it is seen whatever the statement's snapshot; the lock is taken once, on
 * that one row, at the end of the statement. No row means no lock: the caller must fail.
 */
export function findExportLockingTenant(tx: Transaction<Database>, scope: Scope, id: string) {
  return selectExportView(tx)
    .select(sql<unknown>`pg_advisory_xact_lock(hashtextextended(${tenantLockKey(scope.tenantId)}, 0))`.as('tenant_locked'))
    .where('exports.tenant_id', '=', scope.tenantId)
    .where('exports.environment_id', '=', scope.environmentId)
    .where('exports.id', '=', id)
    .executeTakeFirst();
}

/**
 * Serialises the tenant's rate-limit checks with their inserts, so the caps are exact.
 * Taken only on the insert path, after the user lock (always in that order: no deadlock).
 * A single export request inserts first and takes it last, with its row's read
 * (findExportLockingTenant), so it is held for one count and the commit (export.service.ts).
 */
export async function lockTenantForExports(tx: Transaction<Database>, tenantId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${tenantLockKey(tenantId)}, 0))`.execute(tx);
}

/**
 * The export a new request of this admin for this user should return instead of starting
 * another: the user's in-flight export (anyone's), or else this admin's newest completed
 * export of the user created within the last `windowMs` (by the database clock, the one
 * created_at is written by). The second covers a burst whose first export finished before
 * the later requests were served. Only exports with the same options (format and range)
 * count: the same user with another range is another export. Failed and cancelled exports are not reused: asking
 * again after one of those is a deliberate retry. One statement of two id lookups, each on
 * its own index (the partial in-flight index, then exports_user_created_idx), so neither
 * reads the user's export history; the full row is read only when there is one to reuse.
 */
export async function findReusableExportForUser(db: DbOrTx, scope: Scope, userId: string, options: ExportOptions, adminId: string, windowMs: number) {
  const ofUser = (eb: ExpressionBuilder<Database, never>) =>
    eb
      .selectFrom('exports')
      .select('exports.id')
      .where('exports.tenant_id', '=', scope.tenantId)
      .where('exports.environment_id', '=', scope.environmentId)
      .where('exports.user_id', '=', userId)
      .where('exports.format', '=', options.format)
      .where(sql<boolean>`exports.range_from is not distinct from ${options.from}::timestamptz`)
      .where(sql<boolean>`exports.range_to is not distinct from ${options.to}::timestamptz`);
  const ids = await db
    .selectNoFrom((eb) => [
      ofUser(eb).where('exports.status', 'in', inFlightStatuses).limit(1).as('in_flight'),
      ofUser(eb)
        .where('exports.created_at', '>=', sql<Date>`now() - make_interval(secs => ${windowMs / 1000})`)
        .where('exports.status', '=', 'completed')
        .where('exports.requested_by', '=', adminId)
        .orderBy('exports.created_at', 'desc')
        .limit(1)
        .as('recent'),
    ])
    .executeTakeFirstOrThrow();
  const id = ids.in_flight ?? ids.recent;
  return id ? findExport(db, scope, id) : undefined;
}

/**
 * The tenant's exports in flight and created since `since`, as two bounded counts in one
 * statement: the first reads the partial in-flight index, the second the (tenant_id,
 * created_at) index, so neither grows with the tenant's export history (review M7).
 * `except` leaves out the export this transaction is admitting.
 */
export async function countTenantExports(tx: DbOrTx, tenantId: string, since: Date, except?: string) {
  const others = (eb: ExpressionBuilder<Database, 'exports'>) => (except === undefined ? eb.lit(true) : eb('id', '!=', except));
  const counts = await tx
    .selectNoFrom((eb) => [
      eb
        .selectFrom('exports')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('status', 'in', inFlightStatuses)
        .where(others)
        .as('in_flight'),
      eb
        .selectFrom('exports')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('created_at', '>=', since)
        .where(others)
        .as('recent'),
      eb
        .selectFrom('exports')
        .select((e) => e.fn.min('created_at').as('oldest'))
        .where('tenant_id', '=', tenantId)
        .where('created_at', '>=', since)
        .where(others)
        .as('oldest_recent'),
    ])
    .executeTakeFirstOrThrow();
  return { recent: Number(counts.recent), oldestRecent: (counts.oldest_recent as Date | null) ?? null, inFlight: Number(counts.in_flight) };
}

export function insertExport(
  tx: DbOrTx,
  row: {
    id: string;
    scope: Scope;
    userId: string;
    requestedBy: string;
    workflowId: string;
    retryOf?: string | null;
    options?: ExportOptions;
    bulkExportId?: string | null;
  },
) {
  return tx
    .insertInto('exports')
    .values({
      id: row.id,
      tenant_id: row.scope.tenantId,
      environment_id: row.scope.environmentId,
      user_id: row.userId,
      requested_by: row.requestedBy,
      workflow_id: row.workflowId,
      status: 'queued',
      retry_of: row.retryOf ?? null,
      // Without options: today's export, csv of every event (the column defaults).
      format: row.options?.format,
      range_from: row.options?.from ?? null,
      range_to: row.options?.to ?? null,
      bulk_export_id: row.bulkExportId ?? null,
    })
    .execute();
}

/** Sets an export's status, only from the states given. Status writes go through export-lifecycle.ts, which derives `from`. */
export function updateExportStatus(db: DbOrTx, scope: ExportRowScope, id: string, from: ExportStatus[], set: ExportRowUpdate) {
  return db
    .updateTable('exports')
    .set({ ...set, updated_at: new Date() })
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', '=', id)
    .$if(scope.userId !== undefined, (q) => q.where('user_id', '=', scope.userId!))
    .where('status', 'in', from)
    .executeTakeFirst();
}

/** Marks an attempt as running: progress restarts at zero, the first start time is kept. */
export async function markExportRunning(db: DbOrTx, scope: ExportRowScope, id: string, from: ExportStatus[], rowsTotal: number): Promise<boolean> {
  const result = await db
    .updateTable('exports')
    .set({ status: 'running', started_at: sql`coalesce(started_at, now())`, rows_exported: 0, rows_total: rowsTotal, updated_at: new Date() })
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', '=', id)
    .$if(scope.userId !== undefined, (q) => q.where('user_id', '=', scope.userId!))
    .where('status', 'in', from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function updateExportProgress(db: DbOrTx, scope: ExportRowScope, id: string, rowsExported: number): Promise<void> {
  await db
    .updateTable('exports')
    .set({ rows_exported: rowsExported, updated_at: new Date() })
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', '=', id)
    .$if(scope.userId !== undefined, (q) => q.where('user_id', '=', scope.userId!))
    .where('status', '=', 'running')
    .execute();
}

/** Every environment's scope: the reconciler sweeps them one by one so each query stays scoped. */
export function listEnvironmentScopes(db: DbOrTx): Promise<Scope[]> {
  return db.selectFrom('environments').select(['tenant_id as tenantId', 'id as environmentId']).orderBy('tenant_id').orderBy('id').execute();
}

/** Exports of one environment still queued or running that were requested before `createdBefore`. */
export function findInFlightExportsCreatedBefore(db: DbOrTx, scope: Scope, createdBefore: Date, limit: number) {
  return db
    .selectFrom('exports')
    .select(['id', 'user_id', 'workflow_id', 'status'])
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('status', 'in', inFlightStatuses)
    .where('created_at', '<', createdBefore)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** An export's status and recorded object: which attempt's file, if any, the row took. */
export function findExportOutcome(db: DbOrTx, scope: ExportRowScope, id: string) {
  return db
    .selectFrom('exports')
    .select(['status', 'object_key'])
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', '=', id)
    .$if(scope.userId !== undefined, (q) => q.where('user_id', '=', scope.userId!))
    .executeTakeFirst();
}

/** Completed exports of one environment whose file is due for deletion, oldest due first. */
export function findExportsDueForDeletion(db: DbOrTx, scope: Scope, dueBy: Date, limit: number) {
  return db
    .selectFrom('exports')
    .select(['id', 'user_id', 'object_key', 'expires_at'])
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('status', '=', 'completed')
    .where('expires_at', '<=', dueBy)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}
