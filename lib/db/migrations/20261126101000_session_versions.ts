import type { Kysely } from 'kysely';

/**
 * Sessions that can be revoked: a JWT carries the admin's session version, and signing
 * out, a password change or a role change bumps it. `disabled_at` shuts an admin out
 * without deleting rows that audit entries reference. Sign-in attempts start `pending`
 * (succeeded null) so the throttle's check and its record are one atomic step.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('admins')
    .addColumn('session_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_at', 'timestamptz')
    .execute();
  await db.schema
    .alterTable('sign_in_attempts')
    .alterColumn('succeeded', (c) => c.dropNotNull())
    .execute();
  await db.schema.createIndex('sign_in_attempts_pair_idx').on('sign_in_attempts').columns(['email', 'client', 'created_at']).execute();
  await db.schema.createIndex('sign_in_attempts_created_idx').on('sign_in_attempts').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sign_in_attempts_created_idx').execute();
  await db.schema.dropIndex('sign_in_attempts_pair_idx').execute();
  await db.deleteFrom('sign_in_attempts').where('succeeded', 'is', null).execute();
  await db.schema
    .alterTable('sign_in_attempts')
    .alterColumn('succeeded', (c) => c.setNotNull())
    .execute();
  await db.schema.alterTable('admins').dropColumn('disabled_at').dropColumn('session_version').execute();
}
