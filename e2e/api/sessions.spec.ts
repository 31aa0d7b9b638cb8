import { randomBytes, scryptSync } from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { encode } from 'next-auth/jwt';
import type pg from 'pg';
import { endAdminSessions, setAdminDisabled, setAdminPassword, setAdminRole } from '../../lib/auth/admin-accounts';
import { createDb, type Db } from '../../lib/db/client';
import { acmeProductionClaims, createTestAdmin, type TestAdmin } from './accounts';
import { connectDb, seededTenant } from './data';
import { expectApiError } from './expect-api';
import { rawRequest } from './raw-http';
import { anonymousContext, appOrigin, cookieHeader, signInApi } from './session';

/**
 * A session ends when it should (issue 9 §4): at its absolute lifetime however often it is
 * refreshed, and at once when the admin signs out, changes password or role, or is
 * disabled. Each check holds on to the old cookie and shows it no longer works.
 */
let pgClient: pg.Client;
let db: Db;
const contexts: APIRequestContext[] = [];
const maxAge = Number(process.env.SESSION_MAX_AGE_SECONDS ?? 8 * 3600);

async function signedIn(admin: TestAdmin): Promise<string> {
  const context = await signInApi(admin.email, admin.password);
  contexts.push(context);
  const cookie = await cookieHeader(context);
  expect((await apiWith(cookie)).status, 'the new session works').toBe(200);
  return cookie;
}

function apiWith(cookie: string) {
  return rawRequest('GET', '/api/exports?limit=1', { headers: { cookie } });
}

test.beforeAll(async () => {
  pgClient = await connectDb();
  db = createDb(process.env.DATABASE_URL!, 2);
});
test.afterAll(async () => {
  for (const context of contexts) await context.dispose();
  await pgClient.end();
  await db.destroy();
});

test('signing out revokes the session cookie, not just the browser copy', async () => {
  const admin = await createTestAdmin(pgClient, 'acme');
  const context = await signInApi(admin.email, admin.password);
  contexts.push(context);
  const stolen = await cookieHeader(context);
  const { csrfToken } = (await (await context.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const out = await context.post('/api/auth/signout', { form: { csrfToken, json: 'true' }, headers: { origin: appOrigin } });
  expect(out.status()).toBe(200);
  const replay = await apiWith(stolen);
  expect(replay.status, replay.text).toBe(401);
  expect(JSON.parse(replay.text).error.code).toBe('unauthorized');
});

test('a password change, a demotion or disabling ends the sessions already open', async () => {
  const changes: [string, (email: string) => Promise<void>][] = [
    ['password change', (email) => setAdminPassword(db, email, 'a-completely-new-password')],
    ['demotion to viewer', (email) => setAdminRole(db, email, 'viewer')],
    ['disabling', (email) => setAdminDisabled(db, email, true)],
  ];
  for (const [what, change] of changes) {
    const admin = await createTestAdmin(pgClient, 'acme');
    const cookie = await signedIn(admin);
    await change(admin.email);
    const response = await apiWith(cookie);
    expect(response.status, `${what}: ${response.text}`).toBe(401);
    // The pages agree: next-auth's own session endpoint reports no session any more.
    const session = await rawRequest('GET', '/api/auth/session', { headers: { cookie } });
    expect(JSON.parse(session.text).admin, what).toBeUndefined();
  }
});

test('a change made straight in the database ends the session too: each check stands alone', async () => {
  // An operator's SQL bumps no session version: only comparing with the admin row catches these.
  const changes: [string, string][] = [
    ['role changed', `update admins set role = 'viewer' where id = $1`],
    ['moved to another tenant', `update admins set tenant_id = (select id from tenants where slug = 'globex') where id = $1`],
    ['disabled', 'update admins set disabled_at = now() where id = $1'],
    ['deleted', 'delete from admins where id = $1'],
  ];
  for (const [what, statement] of changes) {
    const admin = await createTestAdmin(pgClient, 'acme');
    const cookie = await signedIn(admin);
    // The sign-in's own audit row would keep the row from being deleted.
    if (what === 'deleted') await pgClient.query('delete from audit_log where admin_id = $1', [admin.id]);
    await pgClient.query(statement, [admin.id]);
    const response = await apiWith(cookie);
    expect(response.status, `${what}: ${response.text}`).toBe(401);
  }
});

test('a disabled admin cannot sign in, even with the right password', async () => {
  const admin = await createTestAdmin(pgClient, 'acme');
  await setAdminDisabled(db, admin.email, true);
  await expect(signInApi(admin.email, admin.password)).rejects.toThrow(/401/);
});

test('a session ends at its absolute lifetime, whatever its cookie expiry says', async () => {
  const secret = process.env.NEXTAUTH_SECRET!;
  const acme = await seededTenant(pgClient, 'acme', 'admin@acme.test');
  const admin = await createTestAdmin(pgClient, 'acme');
  const claims = acmeProductionClaims(admin, acme);
  const token = (authTime: number) => encode({ secret, token: { sub: admin.id, admin: claims, authTime, sessionVersion: 0 } });
  const now = Math.floor(Date.now() / 1000);

  // Control: the same token signed in just now is accepted, so only the age differs.
  const fresh = `next-auth.session-token=${await token(now - 60)}`;
  expect((await apiWith(fresh)).status).toBe(200);

  // A token refreshed a minute ago (fresh JWT expiry) but signed in longer ago than the limit.
  const old = `next-auth.session-token=${await token(now - maxAge - 60)}`;
  await expectApiError(await contextGet(old), 401, 'expired session');
  const refresh = await rawRequest('GET', '/api/auth/session', { headers: { cookie: old } });
  expect(JSON.parse(refresh.text).admin).toBeUndefined();
  // next-auth is told to clear the cookie rather than re-issue it with a new expiry.
  expect(String(refresh.headers['set-cookie'] ?? '')).toMatch(/next-auth\.session-token=;/);
});

async function contextGet(cookie: string) {
  const context = await anonymousContext();
  contexts.push(context);
  return context.get('/api/exports?limit=1', { headers: { cookie } });
}

test('a password hash made with older scrypt parameters is replaced at the next sign-in', async () => {
  const admin = await createTestAdmin(pgClient, 'acme');
  // The parameters this console used before (N=2^14, p=1): still accepted, then upgraded.
  const salt = randomBytes(16);
  const old = ['scrypt', 16384, 8, 1, salt.toString('base64'), scryptSync(admin.password, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')].join('$');
  await pgClient.query('update admins set password_hash = $2 where id = $1', [admin.id, old]);
  const cookie = await signedIn(admin);
  const { rows } = await pgClient.query<{ password_hash: string }>('select password_hash from admins where id = $1', [admin.id]);
  expect(rows[0]!.password_hash).toMatch(/^scrypt\$32768\$8\$3\$/);
  // Same password, so the session it just made lives on.
  expect((await apiWith(cookie)).status).toBe(200);
});

test('a page open in a revoked session sends the admin to sign in, keeping the page', async ({ page }) => {
  const admin = await createTestAdmin(pgClient, 'acme');
  await page.goto('/login');
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByLabel('Environment')).toBeVisible();
  await endAdminSessions(db, admin.id);
  await page.goto('/exports?status=completed');
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fexports%3Fstatus%3Dcompleted$/);
});
