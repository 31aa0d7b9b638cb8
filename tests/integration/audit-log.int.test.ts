import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditFilters } from '../../lib/audit/audit.contracts';
import { auditCsvColumns } from '../../lib/audit/audit.contracts';
import { auditCsvStream, exportAuditCsv } from '../../lib/audit/audit-csv';
import { listAudit } from '../../lib/audit/audit.service';
import { getDb } from '../../lib/db/web-db';
import type { AuditAction } from '../../lib/db/schema';
import type { Actor, Scope } from '../../lib/scope';

/**
 * The audit log's filters, pagination, tenant isolation and CSV, on the real migrated and
 * seeded Postgres. Rows are written into a time window of their own (a random hour in
 * 2001), so the rest of the suite's audit rows never land in a filtered result.
 */
const db = getDb();
const hostileAgent = "=cmd|' /C calc'!A0";
const origin = { clientAddress: '203.0.113.7', userAgent: 'AuditLogIntTest/1.0' };

interface TenantSide {
  scope: Scope;
  adminId: string;
  otherAdminId: string | null;
  users: { id: string; email: string }[];
}
let acme: TenantSide;
let globex: TenantSide;
const windowStart = new Date(Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 300) * 3_600_000);
const at = (seconds: number) => new Date(windowStart.getTime() + seconds * 1000);
const window: AuditFilters = { from: windowStart, to: at(3600) };
const bigWindowStart = at(7200);
const exportIds: string[] = [];
const auditIds: string[] = [];
const ids: Record<string, string> = {};

async function side(slug: string): Promise<TenantSide> {
  const tenant = await db
    .selectFrom('tenants as t')
    .innerJoin('environments as e', 'e.tenant_id', 't.id')
    .select(['t.id as tenant_id', 'e.id as environment_id'])
    .where('t.slug', '=', slug)
    .where('e.slug', '=', 'production')
    .executeTakeFirstOrThrow();
  const admins = await db.selectFrom('admins').select(['id', 'role']).where('tenant_id', '=', tenant.tenant_id).orderBy('email').execute();
  const users = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('tenant_id', '=', tenant.tenant_id)
    .where('environment_id', '=', tenant.environment_id)
    .orderBy('email')
    .limit(2)
    .execute();
  return {
    scope: { tenantId: tenant.tenant_id, environmentId: tenant.environment_id },
    adminId: admins.find((a) => a.role === 'admin')!.id,
    otherAdminId: admins.find((a) => a.role !== 'admin')?.id ?? null,
    users,
  };
}

async function insertExport(t: TenantSide, userId: string): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('exports')
    .values({
      id,
      tenant_id: t.scope.tenantId,
      environment_id: t.scope.environmentId,
      user_id: userId,
      requested_by: t.adminId,
      workflow_id: `audit-log-int-${id}`,
      status: 'completed',
    })
    .execute();
  exportIds.push(id);
  return id;
}

async function insertAudit(
  name: string,
  t: TenantSide,
  row: { adminId: string; action: AuditAction; exportId?: string; at: Date; userAgent?: string },
): Promise<void> {
  const id = randomUUID();
  await db
    .insertInto('audit_log')
    .values({
      id,
      tenant_id: t.scope.tenantId,
      environment_id: row.action === 'auth.signed_in' ? null : t.scope.environmentId,
      admin_id: row.adminId,
      action: row.action,
      export_id: row.exportId ?? null,
      client_address: origin.clientAddress,
      user_agent: row.userAgent ?? origin.userAgent,
      created_at: row.at,
    })
    .execute();
  auditIds.push(id);
  ids[name] = id;
}

/** Every entry of a filtered listing, following nextCursor with a small page size. */
async function listAll(tenantId: string, filters: AuditFilters, limit = 2): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const page = await listAudit(tenantId, { ...filters, cursor, limit });
    seen.push(...page.entries.map((e) => e.id));
    if (!page.nextCursor) return seen;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

async function csvOf(tenantId: string, filters: AuditFilters): Promise<string[][]> {
  const chunks: Buffer[] = [];
  for await (const chunk of auditCsvStream(db, tenantId, filters)) chunks.push(Buffer.from(chunk));
  return parse(Buffer.concat(chunks).toString('utf8'));
}

beforeAll(async () => {
  acme = await side('acme');
  globex = await side('globex');
  expect(acme.otherAdminId, 'the demo seed has a second acme login (the viewer)').not.toBeNull();
  const [ua, ub] = acme.users;
  const [ug] = globex.users;
  const ea = await insertExport(acme, ua!.id);
  const eb = await insertExport(acme, ub!.id);
  const eg = await insertExport(globex, ug!.id);
  await insertAudit('r1', acme, { adminId: acme.adminId, action: 'export.requested', exportId: ea, at: at(1) });
  await insertAudit('r2', acme, { adminId: acme.adminId, action: 'export.downloaded', exportId: ea, at: at(2), userAgent: hostileAgent });
  await insertAudit('r3', acme, { adminId: acme.otherAdminId!, action: 'export.cancelled', exportId: eb, at: at(3) });
  await insertAudit('r4', acme, { adminId: acme.adminId, action: 'auth.signed_in', at: at(4) });
  await insertAudit('r5', acme, { adminId: acme.otherAdminId!, action: 'export.requested', exportId: eb, at: at(5) });
  // Globex, in the same window: the same actions, a hostile agent, an export of its own user.
  await insertAudit('g1', globex, { adminId: globex.adminId, action: 'export.requested', exportId: eg, at: at(2.5) });
  await insertAudit('g2', globex, { adminId: globex.adminId, action: 'export.downloaded', exportId: eg, at: at(3.5), userAgent: hostileAgent });
  await insertAudit('g3', globex, { adminId: globex.adminId, action: 'auth.signed_in', at: at(4.5) });
});

afterAll(async () => {
  if (auditIds.length) await db.deleteFrom('audit_log').where('id', 'in', auditIds).execute();
  await db
    .deleteFrom('audit_log')
    .where('created_at', '>=', bigWindowStart)
    .where('created_at', '<', at(10_800))
    .where('user_agent', '=', 'AuditLogIntTest/bulk')
    .execute();
  await db.deleteFrom('audit_log').where('action', '=', 'audit.exported').where('user_agent', '=', origin.userAgent).execute();
  if (exportIds.length) await db.deleteFrom('exports').where('id', 'in', exportIds).execute();
});

const names = (...keys: string[]) => keys.map((k) => ids[k]);

describe('GET /api/audit filters (listAudit)', () => {
  it("a date window alone gives the tenant's rows in it, newest first", async () => {
    expect(await listAll(acme.scope.tenantId, window)).toEqual(names('r5', 'r4', 'r3', 'r2', 'r1'));
  });

  it('from/to are half-open: from is included, to is not', async () => {
    expect(await listAll(acme.scope.tenantId, { from: at(2), to: at(4) })).toEqual(names('r3', 'r2'));
  });

  it('by action, by admin, and by user (through the export) or their email in any case', async () => {
    expect(await listAll(acme.scope.tenantId, { ...window, action: 'export.requested' })).toEqual(names('r5', 'r1'));
    expect(await listAll(acme.scope.tenantId, { ...window, adminId: acme.otherAdminId! })).toEqual(names('r5', 'r3'));
    expect(await listAll(acme.scope.tenantId, { ...window, userId: acme.users[0]!.id })).toEqual(names('r2', 'r1'));
    expect(await listAll(acme.scope.tenantId, { ...window, userEmail: acme.users[0]!.email.toUpperCase() })).toEqual(names('r2', 'r1'));
    expect(await listAll(acme.scope.tenantId, { ...window, action: 'export.requested', adminId: acme.adminId })).toEqual(names('r1'));
  });

  it('pages through a filtered result with no entry lost or repeated, whatever the page size', async () => {
    for (const limit of [1, 2, 3]) {
      expect(await listAll(acme.scope.tenantId, window, limit), `limit ${limit}`).toEqual(names('r5', 'r4', 'r3', 'r2', 'r1'));
      expect(await listAll(acme.scope.tenantId, { ...window, userId: acme.users[0]!.id }, limit), `limit ${limit}`).toEqual(names('r2', 'r1'));
    }
    const first = await listAudit(acme.scope.tenantId, { ...window, action: 'export.requested', limit: 1 });
    expect(first.entries.map((e) => e.id)).toEqual(names('r5'));
    const second = await listAudit(acme.scope.tenantId, { ...window, action: 'export.requested', limit: 1, cursor: first.nextCursor! });
    expect(second.entries.map((e) => e.id)).toEqual(names('r1'));
    expect(second.nextCursor).toBeNull();
  });

  it("another tenant's rows never appear, whatever the filters, even its own admin's or user's id", async () => {
    const globexIds = names('g1', 'g2', 'g3');
    const [ug] = globex.users;
    const attempts: AuditFilters[] = [
      {},
      window,
      { ...window, adminId: globex.adminId },
      { adminId: globex.adminId },
      { userId: ug!.id },
      { userEmail: ug!.email },
      { ...window, action: 'export.downloaded' },
      { ...window, action: 'auth.signed_in' },
    ];
    for (const filters of attempts) {
      const seen = await listAll(acme.scope.tenantId, filters, 100);
      expect(
        seen.filter((id) => globexIds.includes(id)),
        JSON.stringify(filters),
      ).toEqual([]);
    }
    expect(await listAll(acme.scope.tenantId, { adminId: globex.adminId }, 100)).toEqual([]);
    expect(await listAll(acme.scope.tenantId, { userId: ug!.id }, 100)).toEqual([]);
    // …and Globex sees its own, and none of Acme's.
    expect(await listAll(globex.scope.tenantId, window)).toEqual(names('g3', 'g2', 'g1'));
    expect(await listAll(globex.scope.tenantId, { adminId: acme.adminId }, 100)).toEqual([]);
    expect(await listAll(globex.scope.tenantId, { userId: acme.users[0]!.id }, 100)).toEqual([]);
  });
});

describe('GET /api/audit.csv (exportAuditCsv)', () => {
  it('streams the filtered log as CSV with a header, RFC 3339 times, and the formula guard on a hostile user agent', async () => {
    const actor: Actor = { id: acme.adminId, origin };
    const now = new Date('2026-11-27T10:11:12.345Z');
    const { fileName, stream } = await exportAuditCsv(db, acme.scope, actor, window, now);
    expect(fileName).toBe('audit-acme-production-20261127T101112Z.csv');
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.includes('\r\n')).toBe(false);
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual([...auditCsvColumns]);
    const col = (name: (typeof auditCsvColumns)[number]) => auditCsvColumns.indexOf(name);
    expect(rows.map((r) => r[col('action')])).toEqual(['export.requested', 'auth.signed_in', 'export.cancelled', 'export.downloaded', 'export.requested']);
    expect(rows.map((r) => r[col('id')])).toEqual(names('r5', 'r4', 'r3', 'r2', 'r1'));
    expect(rows.map((r) => r[col('time')])).toEqual([at(5), at(4), at(3), at(2), at(1)].map((d) => d.toISOString()));
    const downloaded = rows[3]!;
    expect(downloaded[col('user_agent')]).toBe(`'${hostileAgent}`);
    expect(downloaded[col('user_id')]).toBe(acme.users[0]!.id);
    expect(downloaded[col('user_email')]).toBe(acme.users[0]!.email);
    expect(downloaded[col('environment')]).toBe('production');
    expect(downloaded[col('client_address')]).toBe(origin.clientAddress);
    expect(rows[1]![col('environment')]).toBe('');
    // Nothing of Globex's, though its rows share the window and the hostile agent.
    expect(text).not.toContain(globex.scope.tenantId);
    expect(rows).toHaveLength(5);
  });

  it('is itself audited, with the filters it was asked for', async () => {
    const actor: Actor = { id: acme.adminId, origin };
    const { stream } = await exportAuditCsv(db, acme.scope, actor, { action: 'export.cancelled', from: at(0) });
    stream.destroy();
    const row = await db
      .selectFrom('audit_log')
      .select(['tenant_id', 'environment_id', 'admin_id', 'details', 'client_address'])
      .where('action', '=', 'audit.exported')
      .where('user_agent', '=', origin.userAgent)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      tenant_id: acme.scope.tenantId,
      environment_id: acme.scope.environmentId,
      admin_id: acme.adminId,
      client_address: origin.clientAddress,
    });
    expect(row.details).toEqual({ filters: { action: 'export.cancelled', from: at(0).toISOString() } });
  });

  it('an admin or user id of another tenant gives only the header', async () => {
    expect(await csvOf(acme.scope.tenantId, { adminId: globex.adminId })).toEqual([[...auditCsvColumns]]);
    expect(await csvOf(acme.scope.tenantId, { userId: globex.users[0]!.id })).toEqual([[...auditCsvColumns]]);
  });

  it('streams past one batch: every row once, newest first', async () => {
    const total = 1203;
    await db
      .insertInto('audit_log')
      .values(
        Array.from({ length: total }, (_, i) => ({
          tenant_id: acme.scope.tenantId,
          environment_id: acme.scope.environmentId,
          admin_id: acme.adminId,
          action: 'export.downloaded' as const,
          client_address: origin.clientAddress,
          user_agent: 'AuditLogIntTest/bulk',
          // Pairs share a millisecond, so the keyset's id tiebreak is exercised too.
          created_at: new Date(bigWindowStart.getTime() + Math.floor(i / 2)),
        })),
      )
      .execute();
    const [, ...rows] = await csvOf(acme.scope.tenantId, { from: bigWindowStart, to: at(10_800) });
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r[auditCsvColumns.indexOf('id')])).size).toBe(total);
    const times = rows.map((r) => r[auditCsvColumns.indexOf('time')]!);
    expect([...times].sort().reverse()).toEqual(times);
  });
});
