import type { Kysely } from 'kysely';

/**
 * The per-minute rate limit counts a tenant's exports created in the last minute. Without
 * an index led by (tenant_id, created_at) that count read every export the tenant ever
 * made (review M7); with it, only the last minute's. The dedupe check looks for a user's
 * export of the last few seconds; (tenant_id, environment_id, user_id, created_at) serves
 * it, and the history filtered by user, without reading the user's older exports.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('exports_tenant_created_idx').on('exports').columns(['tenant_id', 'created_at']).execute();
  await db.schema.createIndex('exports_user_created_idx').on('exports').columns(['tenant_id', 'environment_id', 'user_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('exports_user_created_idx').execute();
  await db.schema.dropIndex('exports_tenant_created_idx').execute();
}
