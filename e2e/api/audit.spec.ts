import { expect, test, type APIRequestContext } from '@playwright/test';
import type pg from 'pg';
import type { AuditEntryDto } from '../../lib/audit/audit.contracts';
import { sharedEnv } from '../../lib/env';
import { createS3Client } from '../../lib/storage/s3';
import { logins, signIn } from '../fixtures';
import {
  ageRecentExports,
  connectDb,
  databaseNow,
  deleteExports,
  insertExport,
  pickUser,
  seededTenant,
  type InsertedExport,
  type TenantFixture,
  type UserFixture,
} from './data';
import { createTestAdmin } from './accounts';
import { expectApiError } from './expect-api';
import { postCredentials } from './raw-http';
import { anonymousContext, cookieHeader, signInApi } from './session';

/**
 * The audit trail through the real production build: a cross-site link cannot make an
 * admin's browser download (and audit a download in the admin's name), and each audit row
 * says where the request came from.
 */
const env = sharedEnv();
const s3 = createS3Client(env);
const userAgent = 'ExportConsoleAuditSpec/1.0 (+e2e/api/audit.spec.ts)';
// With TRUSTED_PROXY_HOPS unset (the tests' setting), a client-sent X-Forwarded-For is its own words.
const spoofedAddress = '198.51.100.23';
// The socket peer as server.mjs stamps it (loopback here): never the client's own words,
// and never `unknown`, which would mean the peer was not recorded at all.
const serverSeenAddress = /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/;

let db: pg.Client;
let acme: TenantFixture;
let acmeUser: UserFixture;
let completed: InsertedExport;
const requested: InsertedExport[] = [];
let admin: APIRequestContext;

interface AuditRow {
  action: string;
  export_id: string | null;
  client_address: string | null;
  user_agent: string | null;
}

async function auditRowsSince(since: Date, exportId: string): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `select action, export_id, client_address, user_agent from audit_log
     where admin_id = $1 and export_id = $2 and created_at >= $3 order by created_at, id`,
    [acme.adminId, exportId, since],
  );
  return rows;
}

test.beforeAll(async () => {
  db = await connectDb();
  acme = await seededTenant(db, 'acme', logins.acmeAdmin);
  acmeUser = await pickUser(db, acme.production, { zeroEvents: true });
  completed = await insertExport(db, s3, env.S3_BUCKET, { user: acmeUser, requestedBy: acme.adminId, status: 'completed' });
  admin = await signInApi(logins.acmeAdmin);
});

test.afterAll(async () => {
  await admin?.dispose();
  await deleteExports(db, s3, env.S3_BUCKET, [completed, ...requested].filter(Boolean));
  await db.end();
  s3.destroy();
});

test('a cross-site or same-site download is refused and audits nothing; typed and same-origin ones work', async () => {
  const since = await databaseNow(db);
  for (const site of ['cross-site', 'same-site']) {
    const response = await admin.get(`/api/exports/${completed.id}/download`, { headers: { 'sec-fetch-site': site }, maxRedirects: 0 });
    const { body } = await expectApiError(response, 403, `download with Sec-Fetch-Site: ${site}`);
    expect(body.error.code).toBe('forbidden');
  }
  expect(await auditRowsSince(since, completed.id)).toEqual([]);

  // A typed URL (none) and the console's own link (same-origin) still download, audited.
  for (const site of ['none', 'same-origin']) {
    const response = await admin.get(`/api/exports/${completed.id}/download`, { headers: { 'sec-fetch-site': site }, maxRedirects: 0 });
    expect(response.status(), `download with Sec-Fetch-Site: ${site}`).toBe(302);
  }
  expect((await auditRowsSince(since, completed.id)).map((r) => r.action)).toEqual(['export.downloaded', 'export.downloaded']);
});

test('audit rows carry the client address (not a spoofed X-Forwarded-For) and the user agent', async () => {
  const since = await databaseNow(db);
  const headers = { 'user-agent': userAgent, 'x-forwarded-for': spoofedAddress };
  expect((await admin.get(`/api/exports/${completed.id}/download`, { headers, maxRedirects: 0 })).status()).toBe(302);
  await ageRecentExports(db, acmeUser.id);
  const started = await admin.post(`/api/users/${acmeUser.id}/exports`, { headers });
  expect(started.status(), await started.text()).toBe(202);
  const { export: created } = (await started.json()) as { export: { id: string } };
  requested.push({ id: created.id, objectKey: `exports/${acmeUser.tenantId}/${acmeUser.environmentId}/${created.id}.zip`, fileName: null, body: null });

  const rows = [...(await auditRowsSince(since, completed.id)), ...(await auditRowsSince(since, created.id))];
  expect(rows.map((r) => r.action)).toEqual(['export.downloaded', 'export.requested']);
  for (const row of rows) {
    expect(row.user_agent, row.action).toBe(userAgent);
    expect(row.client_address, row.action).toMatch(serverSeenAddress);
  }

  // GET /api/audit shows both, newest first.
  const page = await admin.get('/api/audit?limit=100');
  expect(page.status()).toBe(200);
  const { entries } = (await page.json()) as { entries: AuditEntryDto[] };
  const mine = entries.filter((e) => e.exportId === completed.id || e.exportId === created.id).filter((e) => e.userAgent === userAgent);
  expect(mine.map((e) => e.action)).toEqual(['export.requested', 'export.downloaded']);
  for (const entry of mine) expect(entry.clientAddress).toMatch(serverSeenAddress);

  // Let the zero-event export finish before afterAll deletes its row.
  await expect
    .poll(async () => (await db.query<{ status: string }>('select status from exports where id = $1', [created.id])).rows[0]?.status, { timeout: 30_000 })
    .toBe('completed');
});

test('a sign-in is audited with the address its connection came from and its user agent', async () => {
  const account = await createTestAdmin(db, 'acme');
  const browser = await anonymousContext();
  try {
    const { csrfToken } = (await (await browser.get('/api/auth/csrf')).json()) as { csrfToken: string };
    // From 127.0.0.42, which only the socket can tell; the X-Forwarded-For claims another.
    const response = await postCredentials(
      { email: account.email, password: account.password, csrfToken },
      { cookie: await cookieHeader(browser), from: '127.0.0.42', headers: { 'user-agent': userAgent, 'x-forwarded-for': spoofedAddress } },
    );
    expect(response.status, response.text).toBe(200);
  } finally {
    await browser.dispose();
  }
  const { rows } = await db.query<{ client_address: string; user_agent: string }>(
    `select client_address, user_agent from audit_log where admin_id = $1 and action = 'auth.signed_in'`,
    [account.id],
  );
  expect(rows).toEqual([{ client_address: '127.0.0.42', user_agent: userAgent }]);
});

test('the audit page shows where each action came from', async ({ page }) => {
  await signIn(page, logins.acmeAdmin);
  await page.goto('/audit');
  await expect(page.getByRole('columnheader', { name: 'From' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: 'Downloaded export' }).filter({ hasText: 'ExportConsoleAuditSpec/1.0' }).first();
  await expect(row).toBeVisible();
  await expect(row.getByTitle(userAgent)).toBeVisible();
});
