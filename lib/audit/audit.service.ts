import { getDb } from '../db/web-db';
import { decodeTimeCursor, encodeCursor } from '../pagination/cursor';
import type { AuditEntryDto, ListAuditQuery } from './audit.contracts';
import { type AuditEntryRow, findAuditEntries, findTenantAdmins } from './audit.repository';

export function toAuditEntryDto(r: AuditEntryRow): AuditEntryDto {
  return {
    id: r.id,
    action: r.action,
    createdAt: r.created_at.toISOString(),
    admin: r.admin_id && r.admin_email ? { id: r.admin_id, email: r.admin_email } : null,
    environment: r.environment_slug,
    exportId: r.export_id,
    userId: r.user_id,
    userEmail: r.user_email,
    clientAddress: r.client_address,
    userAgent: r.user_agent,
  };
}

/** The tenant's audit log, filtered, newest first, keyset-paginated. */
export async function listAudit(tenantId: string, query: ListAuditQuery): Promise<{ entries: AuditEntryDto[]; nextCursor: string | null }> {
  const { cursor, limit, ...filters } = query;
  const after = cursor ? decodeTimeCursor(cursor) : undefined;
  const rows = await findAuditEntries(getDb(), tenantId, filters, { after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map(toAuditEntryDto),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at.toISOString(), last.id) : null,
  };
}

/** The tenant's admins (id, email), for the Admin filter. */
export function listAuditAdmins(tenantId: string): Promise<{ id: string; email: string }[]> {
  return findTenantAdmins(getDb(), tenantId);
}
