import type { Kysely } from 'kysely';

/**
 * The audit log's filters (issue 11 §7), each led by the tenant and ending in the page's
 * order (created_at desc, id desc), so a filtered page reads only its own rows however
 * large the tenant's log: by action, by admin (also the FK from admins), and by export,
 * which the user filter reaches through the user's exports (and which deleting an export
 * needs for its `on delete set null`). The date range uses audit_log_tenant_time_idx.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('audit_log_tenant_action_time_idx').on('audit_log').columns(['tenant_id', 'action', 'created_at desc', 'id desc']).execute();
  await db.schema.createIndex('audit_log_tenant_admin_time_idx').on('audit_log').columns(['tenant_id', 'admin_id', 'created_at desc', 'id desc']).execute();
  await db.schema.createIndex('audit_log_export_idx').on('audit_log').columns(['export_id']).where('export_id', 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_export_idx').execute();
  await db.schema.dropIndex('audit_log_tenant_admin_time_idx').execute();
  await db.schema.dropIndex('audit_log_tenant_action_time_idx').execute();
}
