import { type Kysely, sql } from 'kysely';

/** Export requests and the audit log. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('exports')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('environment_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('requested_by', 'uuid', (c) => c.notNull().references('admins.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued').check(sql`status in ('queued', 'running', 'completed', 'failed', 'cancelled')`))
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('rows_exported', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_total', 'bigint')
    .addColumn('bytes', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('object_key', 'text')
    .addColumn('file_name', 'text')
    .addColumn('error_summary', 'text')
    // Millisecond precision: the keyset cursor round-trips created_at through JavaScript.
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`date_trunc('milliseconds', now())`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('exports_user_fkey', ['tenant_id', 'environment_id', 'user_id'], 'users', ['tenant_id', 'environment_id', 'id'], (c) =>
      c.onDelete('cascade'),
    )
    .execute();
  // History list: newest first within a tenant's environment, keyset-paginated.
  await db.schema.createIndex('exports_history_idx').on('exports').columns(['tenant_id', 'environment_id', 'created_at desc', 'id desc']).execute();
  // At most one in-flight export per user: the database enforces dedupe across every
  // web process, so 20 parallel clicks can start only one workflow.
  await sql`create unique index exports_one_in_flight_per_user
    on exports (tenant_id, environment_id, user_id)
    where status in ('queued', 'running')`.execute(db);

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('environment_id', 'uuid', (c) => c.references('environments.id').onDelete('cascade'))
    .addColumn('admin_id', 'uuid', (c) => c.notNull().references('admins.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('export_id', 'uuid', (c) => c.references('exports.id').onDelete('set null'))
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`date_trunc('milliseconds', now())`))
    .execute();
  await db.schema.createIndex('audit_log_tenant_time_idx').on('audit_log').columns(['tenant_id', 'created_at desc', 'id desc']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('exports').execute();
}
