import type { Db } from '../db/client';
import type { AuditAction } from '../db/schema';
import type { RequestOrigin } from '../http/client-address';

export interface AuditInput {
  tenantId: string;
  environmentId: string | null;
  /** null: the system acted (the retention sweep), not an admin. */
  adminId: string | null;
  action: AuditAction;
  exportId?: string | null;
  details?: Record<string, unknown>;
  /** Where the request came from; optional so writers without a request can still audit. */
  origin?: RequestOrigin;
}

/** `db` may be a transaction, so an audit row commits or rolls back with the change it records. */
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
      client_address: entry.origin?.clientAddress ?? null,
      user_agent: entry.origin?.userAgent ?? null,
    })
    .execute();
}
