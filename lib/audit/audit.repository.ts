import type { Db } from '../db/client';
import type { AuditAction } from '../db/schema';

export interface AuditInput {
  tenantId: string;
  environmentId: string | null;
  adminId: string;
  action: AuditAction;
  exportId?: string | null;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Db, entry: AuditInput): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      tenant_id: entry.tenantId,
      environment_id: entry.environmentId,
      admin_id: entry.adminId,
      action: entry.action,
      export_id: entry.exportId ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
