import { type Kysely, sql } from 'kysely';

/** Tenants, environments, admins, end users and their events. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('environments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('environments_tenant_slug_key', ['tenant_id', 'slug'])
    // Lets child tables reference (tenant_id, environment_id) so an environment can
    // never be paired with another tenant's rows.
    .addUniqueConstraint('environments_tenant_id_id_key', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('admins')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'viewer')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Sign-in looks admins up by email, case-insensitively.
  await sql`create unique index admins_email_key on admins (lower(email))`.execute(db);

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('environment_id', 'uuid', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_login_at', 'timestamptz')
    .addForeignKeyConstraint('users_environment_fkey', ['tenant_id', 'environment_id'], 'environments', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addUniqueConstraint('users_tenant_env_email_key', ['tenant_id', 'environment_id', 'email'])
    .addUniqueConstraint('users_tenant_env_id_key', ['tenant_id', 'environment_id', 'id'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('environment_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('properties', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addForeignKeyConstraint('events_user_fkey', ['tenant_id', 'environment_id', 'user_id'], 'users', ['tenant_id', 'environment_id', 'id'], (c) =>
      c.onDelete('cascade'),
    )
    .execute();
  // The export stream reads one user's events in (occurred_at, id) order; this index
  // serves it without a sort, and the per-user count for progress.
  await db.schema.createIndex('events_user_time_idx').on('events').columns(['tenant_id', 'environment_id', 'user_id', 'occurred_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('events').execute();
  await db.schema.dropTable('users').execute();
  await db.schema.dropTable('admins').execute();
  await db.schema.dropTable('environments').execute();
  await db.schema.dropTable('tenants').execute();
}
