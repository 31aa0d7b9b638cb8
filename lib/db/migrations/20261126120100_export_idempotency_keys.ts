import { sql, type Kysely } from 'kysely';

/**
 * `Idempotency-Key` on POST /api/users/{userId}/exports: a key an admin sent binds to the
 * export it produced, for 24 h (the expiry is applied when a key is read, so no purge job
 * is needed for correctness). Keys belong to one admin: two admins may send the same key.
 * The environment and user are kept to refuse a key reused for a different request.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('export_idempotency_keys')
    .addColumn('admin_id', 'uuid', (c) => c.notNull().references('admins.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('environment_id', 'uuid', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('export_id', 'uuid', (c) => c.notNull().references('exports.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('export_idempotency_keys_pkey', ['admin_id', 'key'])
    .execute();
  await db.schema.createIndex('export_idempotency_keys_created_idx').on('export_idempotency_keys').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('export_idempotency_keys').execute();
}
