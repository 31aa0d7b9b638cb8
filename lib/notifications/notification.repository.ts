import type { Db } from '../db/client';
import type { Scope } from '../scope';
import type { ExportEmailFacts } from './export-email';

/** What the mail about an export says, and whether its requester wants mail at all. */
export async function findExportEmailFacts(db: Db, scope: Scope, exportId: string) {
  const row = await db
    .selectFrom('exports as e')
    .innerJoin('users as u', 'u.id', 'e.user_id')
    .innerJoin('admins as a', 'a.id', 'e.requested_by')
    .innerJoin('tenants as t', 't.id', 'e.tenant_id')
    .innerJoin('environments as env', 'env.id', 'e.environment_id')
    .select([
      'e.id',
      'e.status',
      'e.rows_exported',
      'e.bytes',
      'e.error_summary',
      'e.bulk_export_id',
      'u.email as user_email',
      'a.email as admin_email',
      'a.notify_on_export',
      'a.disabled_at',
      't.name as tenant_name',
      'env.name as environment_name',
    ])
    .where('e.tenant_id', '=', scope.tenantId)
    .where('e.environment_id', '=', scope.environmentId)
    .where('e.id', '=', exportId)
    .executeTakeFirst();
  if (!row) return undefined;
  const facts: Omit<ExportEmailFacts, 'ending'> = {
    exportId: row.id,
    recipient: row.admin_email,
    userEmail: row.user_email,
    tenantName: row.tenant_name,
    environmentName: row.environment_name,
    rowsExported: row.rows_exported,
    bytes: row.bytes,
    errorSummary: row.error_summary,
  };
  return { facts, status: row.status, wantsMail: row.notify_on_export && row.disabled_at === null, partOfBulk: row.bulk_export_id !== null };
}

export async function recordNotificationError(db: Db, scope: Scope, exportId: string, reason: string): Promise<void> {
  await db
    .updateTable('exports')
    .set({ notification_error: reason })
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', '=', exportId)
    .execute();
}

export async function findExportEmailSetting(db: Db, adminId: string): Promise<boolean> {
  const row = await db.selectFrom('admins').select('notify_on_export').where('id', '=', adminId).executeTakeFirst();
  return row?.notify_on_export ?? false;
}

export async function updateExportEmailSetting(db: Db, adminId: string, tenantId: string, enabled: boolean): Promise<boolean> {
  const result = await db
    .updateTable('admins')
    .set({ notify_on_export: enabled })
    .where('id', '=', adminId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
