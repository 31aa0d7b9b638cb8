import type { Kysely } from 'kysely';

/**
 * Who made an audited request: the client address (socket peer, or the configured
 * trusted proxy hops' X-Forwarded-For entry) and the user agent. Nullable: rows written
 * before this migration, and writers with no request (none yet), have neither.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('client_address', 'text').addColumn('user_agent', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').dropColumn('client_address').dropColumn('user_agent').execute();
}
