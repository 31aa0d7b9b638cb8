import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import type pg from 'pg';
import { auditActions, auditCsvColumns } from '../lib/audit/audit.contracts';
import { connectDb, databaseNow, pickUser, seededTenant, type TenantFixture, type UserFixture } from './api/data';
import { expectApiError } from './api/expect-api';
import { signInApi } from './api/session';
import { expectNoAxeViolations, logins, signIn } from './fixtures';

/**
 * Issue 11 §7: the audit page's filters (kept in the URL), the CSV of the filtered log and
 * its guards, through the production build. The rows live on a day of their own in 2002, so
 * other specs' rows never land in the filtered view.
 */
const hostileAgent = "=cmd|' /C calc'!A0";
const day = new Date(Date.UTC(2002, 0, 1) + Math.floor(Math.random() * 300) * 86_400_000);
const from = day.toISOString().slice(0, 10);
const to = new Date(day.getTime() + 86_400_000).toISOString().slice(0, 10);
const at = (hour: number) => new Date(day.getTime() + hour * 3_600_000);

let db: pg.Client;
let acme: TenantFixture;
let globex: TenantFixture;
let acmeUser: UserFixture;
let globexUser: UserFixture;
let started: Date;
const exportIds: string[] = [];
const auditIds: string[] = [];

async function insertExport(tenant: TenantFixture, user: UserFixture): Promise<string> {
  const id = randomUUID();
  await db.query(`insert into exports (id, tenant_id, environment_id, user_id, requested_by, workflow_id, status) values ($1, $2, $3, $4, $5, $6, 'failed')`, [
    id,
    tenant.tenantId,
    user.environmentId,
    user.id,
    tenant.adminId,
    `audit-filters-e2e-${id}`,
  ]);
  exportIds.push(id);
  return id;
}

async function insertAudit(
  tenant: TenantFixture,
  row: { action: string; exportId?: string; at: Date; userAgent: string; environmentId?: string | null },
): Promise<void> {
  const { rows } = await db.query<{ id: string }>(
    `insert into audit_log (tenant_id, environment_id, admin_id, action, export_id, client_address, user_agent, created_at)
     values ($1, $2, $3, $4, $5, '192.0.2.10', $6, $7) returning id`,
    [
      tenant.tenantId,
      row.environmentId === undefined ? tenant.production : row.environmentId,
      tenant.adminId,
      row.action,
      row.exportId ?? null,
      row.userAgent,
      row.at,
    ],
  );
  auditIds.push(rows[0]!.id);
}

test.beforeAll(async () => {
  db = await connectDb();
  started = await databaseNow(db);
  acme = await seededTenant(db, 'acme', logins.acmeAdmin);
  globex = await seededTenant(db, 'globex', logins.globexAdmin);
  acmeUser = await pickUser(db, acme.production);
  globexUser = await pickUser(db, globex.production);
  const acmeExport = await insertExport(acme, acmeUser);
  const globexExport = await insertExport(globex, globexUser);
  await insertAudit(acme, { action: 'export.requested', exportId: acmeExport, at: at(9), userAgent: 'AuditFiltersSpec/requested' });
  await insertAudit(acme, { action: 'export.downloaded', exportId: acmeExport, at: at(10), userAgent: hostileAgent });
  await insertAudit(acme, { action: 'auth.signed_in', at: at(11), userAgent: 'AuditFiltersSpec/signed-in', environmentId: null });
  await insertAudit(globex, { action: 'export.downloaded', exportId: globexExport, at: at(10.5), userAgent: 'AuditFiltersSpec/globex' });
});

test.afterAll(async () => {
  await db.query(`delete from audit_log where id = any($1::uuid[])`, [auditIds]);
  await db.query(`delete from audit_log where action = 'audit.exported' and created_at >= $1 and admin_id = any($2::uuid[])`, [
    started,
    [acme.adminId, globex.adminId],
  ]);
  await db.query(`delete from exports where id = any($1::uuid[])`, [exportIds]);
  await db.end();
});

test('filters are form controls kept in the URL: a filtered view is a deep link, and axe finds nothing', async ({ page }) => {
  await signIn(page, logins.acmeAdmin);
  await page.goto(`/audit?from=${from}&to=${to}`);
  await expect(page.getByRole('row').filter({ hasText: 'Signed in' })).toHaveCount(1);
  await expect(page.getByRole('row')).toHaveCount(4); // header + Acme's three rows of that day, none of Globex's
  await expect(page.getByLabel('From (UTC)')).toHaveValue(from);
  await expect(page.getByLabel('Before (UTC)')).toHaveValue(to);

  await expect(page.getByRole('combobox', { name: 'Action', exact: true })).toBeEnabled();
  await page.getByRole('combobox', { name: 'Action', exact: true }).selectOption({ label: 'Downloaded export' });
  await page.getByRole('combobox', { name: 'Admin', exact: true }).selectOption({ label: logins.acmeAdmin });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]action=export\.downloaded(&|$)/);
  await expect(page).toHaveURL(new RegExp(`[?&]adminId=${acme.adminId}(&|$)`));
  await expect(page).toHaveURL(new RegExp(`[?&]from=${from}(&|$)`));
  await expect(page.getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('row').nth(1)).toContainText('Downloaded export');

  // The same URL in a fresh load shows the same view with the controls set.
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Action', exact: true })).toHaveValue('export.downloaded');
  await expect(page.getByRole('combobox', { name: 'Admin', exact: true })).toHaveValue(acme.adminId);
  await expect(page.getByRole('row')).toHaveCount(2);

  // By user: the email (any case) or the id, through the entry's export.
  await page.getByRole('combobox', { name: 'Action', exact: true }).selectOption('');
  await page.getByLabel('User (email or ID)').fill(acmeUser.email.toUpperCase());
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]userEmail=/);
  await expect(page.getByRole('row')).toHaveCount(3); // requested + downloaded; the sign-in has no user
  await page.getByLabel('User (email or ID)').fill(acmeUser.id);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]userId=${acmeUser.id}(&|$)`));
  await expect(page.getByRole('row')).toHaveCount(3);

  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByLabel('User (email or ID)')).toHaveValue('');
  await expect(page.getByRole('link', { name: 'Download CSV' })).toHaveAttribute('href', '/api/audit.csv');

  // A bad deep link says what to fix instead of showing nothing.
  await page.goto(`/audit?from=${to}&to=${from}`);
  await expect(page.getByRole('alert').filter({ hasText: 'from must be before to' })).toBeVisible();
});

test('Download CSV gives the filtered log with the formula guard, and is itself audited', async ({ page }) => {
  await signIn(page, logins.acmeAdmin);
  await page.goto(`/audit?from=${from}&to=${to}`);
  await expect(page.getByRole('row')).toHaveCount(4);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^audit-acme-production-\d{8}T\d{6}Z\.csv$/);
  const text = await readFile((await download.path())!, 'utf8');
  const [header, ...records] = parse(text) as string[][];
  expect(header).toEqual([...auditCsvColumns]);
  const col = (name: (typeof auditCsvColumns)[number]) => auditCsvColumns.indexOf(name);
  expect(records.map((r) => r[col('action')])).toEqual(['auth.signed_in', 'export.downloaded', 'export.requested']);
  expect(records.map((r) => r[col('time')])).toEqual([at(11), at(10), at(9)].map((d) => d.toISOString()));
  expect(records[1]![col('user_agent')]).toBe(`'${hostileAgent}`);
  expect(records[1]![col('user_email')]).toBe(acmeUser.email);
  expect(text).not.toContain('AuditFiltersSpec/globex');

  const { rows } = await db.query<{ details: { filters: Record<string, string> } }>(
    `select details from audit_log where action = 'audit.exported' and admin_id = $1 and created_at >= $2 order by created_at desc limit 1`,
    [acme.adminId, started],
  );
  expect(rows[0]?.details.filters).toEqual({ from: `${from}T00:00:00.000Z`, to: `${to}T00:00:00.000Z` });
});

test('the API: viewers get 403, bad filters 400 with a hint, other tenants see nothing of each other', async () => {
  const viewer = await signInApi(logins.acmeViewer);
  const admin = await signInApi(logins.acmeAdmin);
  const globexAdmin = await signInApi(logins.globexAdmin);
  try {
    for (const path of ['/api/audit', '/api/audit.csv']) {
      expect((await expectApiError(await viewer.get(path), 403, `viewer ${path}`)).body.error.code).toBe('forbidden');
      const unknown = await expectApiError(await admin.get(`${path}?action=export.deleted`), 400, `unknown action on ${path}`);
      for (const action of auditActions) expect(unknown.body.error.hint).toContain(action);
      const reversed = await expectApiError(await admin.get(`${path}?from=${to}&to=${from}`), 400, `from after to on ${path}`);
      expect(reversed.body.error.message).toContain('from must be before to');
      expect(reversed.body.error.hint).toMatch(/half-open/);
    }
    // An audited GET: a link on another site must not make an admin's browser download it.
    await expectApiError(await admin.get('/api/audit.csv', { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'cross-site CSV');

    // Globex asking for Acme's admin or user, or the day Acme's rows are on, gets nothing of Acme's.
    for (const query of [`adminId=${acme.adminId}`, `userId=${acmeUser.id}`, `userEmail=${encodeURIComponent(acmeUser.email)}`, `from=${from}&to=${to}`]) {
      const list = await globexAdmin.get(`/api/audit?limit=100&${query}`);
      expect(list.status()).toBe(200);
      const { entries } = (await list.json()) as { entries: { admin: { id: string }; userAgent: string | null }[] };
      expect(
        entries.filter(
          (e) => e.admin.id === acme.adminId || (e.userAgent?.startsWith('AuditFiltersSpec/') === true && e.userAgent !== 'AuditFiltersSpec/globex'),
        ),
        query,
      ).toEqual([]);
      const csv = await globexAdmin.get(`/api/audit.csv?${query}`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-disposition']).toMatch(/^attachment; filename=audit-globex-production-\d{8}T\d{6}Z\.csv$/);
      const body = await csv.text();
      expect(body).not.toContain(acme.adminId);
      expect(body).not.toContain(hostileAgent.slice(1));
    }
  } finally {
    await Promise.all([viewer.dispose(), admin.dispose(), globexAdmin.dispose()]);
  }
});
