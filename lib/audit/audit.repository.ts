import type { Db } from '../db/client';
import type { AuditAction } from '../db/schema';
import type { RequestOrigin } from '../request-origin';
import type { AuditFilters } from './audit.contracts';

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

/**
 * One page of a tenant's audit log, newest first, keyset-paginated after (created_at, id).
 * The tenant is always the first condition; filters only narrow it. A user filter goes
 * through the entry's export (sign-ins have none, so they never match one).
 */
export function findAuditEntries(db: Db, tenantId: string, filters: AuditFilters, page: { after?: { createdAt: Date; id: string }; limit: number }) {
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('admins as ad', 'ad.id', 'a.admin_id')
    .leftJoin('environments as env', 'env.id', 'a.environment_id')
    .leftJoin('exports as e', 'e.id', 'a.export_id')
    .leftJoin('users as u', 'u.id', 'e.user_id')
    .select([
      'a.id',
      'a.action',
      'a.created_at',
      'a.admin_id',
      'ad.email as admin_email',
      'env.slug as environment_slug',
      'a.export_id',
      'e.user_id',
      'u.email as user_email',
      'a.client_address',
      'a.user_agent',
      'a.details',
    ])
    .where('a.tenant_id', '=', tenantId);
  if (filters.action) q = q.where('a.action', '=', filters.action);
  if (filters.adminId) q = q.where('a.admin_id', '=', filters.adminId);
  // The export must be the tenant's too: belt and braces over audit rows' own tenant_id.
  if (filters.userId) q = q.where('e.tenant_id', '=', tenantId).where('e.user_id', '=', filters.userId);
  if (filters.userEmail) q = q.where('e.tenant_id', '=', tenantId).where((eb) => eb(eb.fn('lower', ['u.email']), '=', filters.userEmail!.toLowerCase()));
  if (filters.from) q = q.where('a.created_at', '>=', filters.from);
  if (filters.to) q = q.where('a.created_at', '<', filters.to);
  const after = page.after;
  if (after) q = q.where((eb) => eb(eb.refTuple('a.created_at', 'a.id'), '<', eb.tuple(after.createdAt, after.id)));
  return q.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(page.limit).execute();
}

export type AuditEntryRow = Awaited<ReturnType<typeof findAuditEntries>>[number];

/** The tenant's admins, for the page's Admin filter. */
export function findTenantAdmins(db: Db, tenantId: string) {
  return db.selectFrom('admins').select(['id', 'email']).where('tenant_id', '=', tenantId).orderBy('email').execute();
}
