import { type Kysely, sql } from 'kysely';

/**
 * Retention that deletes (issue 11 §2): `expired` is a status of its own, set by the
 * retention sweep once the object is gone. The sweep is the first audit writer with no
 * admin behind it, so `audit_log.admin_id` becomes nullable: null means the system.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table exports drop constraint exports_status_check`.execute(db);
  await sql`alter table exports add constraint exports_status_check
    check (status in ('queued', 'running', 'completed', 'failed', 'cancelled', 'expired'))`.execute(db);
  // The sweep's lookup: completed exports of one environment due for deletion, oldest first.
  await sql`create index exports_retention_idx on exports (tenant_id, environment_id, expires_at)
    where status = 'completed'`.execute(db);
  await db.schema
    .alterTable('audit_log')
    .alterColumn('admin_id', (c) => c.dropNotNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from audit_log where admin_id is null`.execute(db);
  await db.schema
    .alterTable('audit_log')
    .alterColumn('admin_id', (c) => c.setNotNull())
    .execute();
  await sql`drop index exports_retention_idx`.execute(db);
  // An expired export has no file; going back, the closest old status is failed.
  await sql`update exports set status = 'failed', error_summary = 'The export file was deleted by retention.' where status = 'expired'`.execute(db);
  await sql`alter table exports drop constraint exports_status_check`.execute(db);
  await sql`alter table exports add constraint exports_status_check
    check (status in ('queued', 'running', 'completed', 'failed', 'cancelled'))`.execute(db);
}
