import { getDb } from '../db/web-db';
import type { AuditAction } from '../db/schema';
import { decodeTimeCursor, encodeCursor } from '../http/cursor';

export interface AuditEntryDto {
  id: string;
  action: AuditAction;
  createdAt: string;
  /** null: the system acted (the retention sweep expired an export). */
  admin: { id: string; email: string } | null;
  exportId: string | null;
  userEmail: string | null;
  clientAddress: string | null;
  userAgent: string | null;
}

/** The tenant's audit log, newest first, keyset-paginated. */
export async function listAudit(tenantId: string, query: { cursor?: string; limit: number }): Promise<{ entries: AuditEntryDto[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeTimeCursor(query.cursor) : undefined;
  let q = getDb()
    .selectFrom('audit_log as a')
    .leftJoin('admins as ad', 'ad.id', 'a.admin_id')
    .leftJoin('exports as e', 'e.id', 'a.export_id')
    .leftJoin('users as u', 'u.id', 'e.user_id')
    .select(['a.id', 'a.action', 'a.created_at', 'a.admin_id', 'ad.email as admin_email', 'a.export_id', 'u.email as user_email', 'a.client_address', 'a.user_agent'])
    .where('a.tenant_id', '=', tenantId);
  if (after) q = q.where((eb) => eb(eb.refTuple('a.created_at', 'a.id'), '<', eb.tuple(after.createdAt, after.id)));
  const rows = await q.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    entries: page.map((r) => ({
      id: r.id,
      action: r.action,
      createdAt: r.created_at.toISOString(),
      admin: r.admin_id && r.admin_email ? { id: r.admin_id, email: r.admin_email } : null,
      exportId: r.export_id,
      userEmail: r.user_email,
      clientAddress: r.client_address,
      userAgent: r.user_agent,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at.toISOString(), last.id) : null,
  };
}
