import { type Kysely, sql } from 'kysely';

/**
 * Bulk exports (issue 12 §3). `bulk_exports` is one request for many users: its aggregate
 * progress (users done and failed, rows done of total) and, once every child ended, the one
 * ZIP. `bulk_export_users` is the snapshot of the users it was asked for, numbered, so the
 * parent workflow pages through them with a cursor (the position) across continue-as-new,
 * and each user's outcome (its export, rows, failure summary) is kept beside it. Each child
 * is an ordinary export row that names its bulk in `exports.bulk_export_id`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bulk_exports')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('environment_id', 'uuid', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('requested_by', 'uuid', (c) => c.notNull().references('admins.id'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('queued').check(sql`status in ('queued', 'running', 'completed', 'failed', 'cancelled', 'expired')`),
    )
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('all_users', 'boolean', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('range_from', 'timestamptz')
    .addColumn('range_to', 'timestamptz')
    .addColumn('users_total', 'integer', (c) => c.notNull())
    .addColumn('users_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('users_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('users_cancelled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_total', 'bigint')
    .addColumn('rows_done', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('object_key', 'text')
    .addColumn('file_name', 'text')
    .addColumn('error_summary', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`date_trunc('milliseconds', now())`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('bulk_exports_range_order', sql`range_from is null or range_to is null or range_from < range_to`)
    .execute();
  await db.schema.createIndex('bulk_exports_history_idx').on('bulk_exports').columns(['tenant_id', 'environment_id', 'created_at desc', 'id desc']).execute();

  await db.schema
    .createTable('bulk_export_users')
    .addColumn('bulk_export_id', 'uuid', (c) => c.notNull().references('bulk_exports.id').onDelete('cascade'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('environment_id', 'uuid', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'running', 'completed', 'failed', 'cancelled')`))
    .addColumn('export_id', 'uuid', (c) => c.references('exports.id').onDelete('set null'))
    .addColumn('rows', 'bigint')
    .addColumn('error_summary', 'text')
    .addPrimaryKeyConstraint('bulk_export_users_pkey', ['bulk_export_id', 'position'])
    .addUniqueConstraint('bulk_export_users_once', ['bulk_export_id', 'user_id'])
    .addForeignKeyConstraint('bulk_export_users_user_fkey', ['tenant_id', 'environment_id', 'user_id'], 'users', ['tenant_id', 'environment_id', 'id'], (c) =>
      c.onDelete('cascade'),
    )
    .execute();
  // The failures list reads only the failed users of a bulk.
  await sql`create index bulk_export_users_failed_idx on bulk_export_users (bulk_export_id, position) where status = 'failed'`.execute(db);

  await db.schema
    .alterTable('exports')
    .addColumn('bulk_export_id', 'uuid', (c) => c.references('bulk_exports.id').onDelete('set null'))
    .execute();
  // A bulk's live rows: its children in flight (few, bounded by the tenant's concurrency cap).
  await sql`create index exports_bulk_in_flight_idx on exports (bulk_export_id) where bulk_export_id is not null and status in ('queued', 'running')`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('exports').dropColumn('bulk_export_id').execute();
  await db.schema.dropTable('bulk_export_users').execute();
  await db.schema.dropTable('bulk_exports').execute();
}
