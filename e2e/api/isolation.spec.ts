import { expect, test, type APIRequestContext, type APIResponse } from '@playwright/test';
import type pg from 'pg';
import { sharedEnv } from '../../lib/env';
import { type DeclaredRoute, type RouteDeclaration, routes, splitRouteKey } from '../../lib/http/routes';
import { createS3Client } from '../../lib/storage/s3';
import { logins } from '../fixtures';
import {
  connectDb,
  databaseNow,
  deleteExports,
  exportsOfUserSince,
  insertExport,
  pickUser,
  seededTenant,
  tenantEmails,
  type InsertedExport,
  type TenantFixture,
  type UserFixture,
} from './data';
import { expectApiError } from './expect-api';
import { anonymousContext, appOrigin, readSession, signInApi, updateSession } from './session';

/**
 * Tenant and environment isolation, role checks, the Origin check and the presigned
 * download, through the HTTP API with sessions made by next-auth's own endpoints. Rows of
 * other tenants and environments are written with SQL, with real objects behind the
 * completed ones, so a route that failed to scope its query would visibly succeed.
 */
const env = sharedEnv();
const s3 = createS3Client(env);
const linkTtl = Number(process.env.EXPORT_LINK_TTL_SECONDS ?? 300);

let db: pg.Client;
let acme: TenantFixture;
let globex: TenantFixture;
let viewerId: string;
/** Acme production, no events: the one the Acme admin may act on. */
let acmeUser: UserFixture;
let globexUser: UserFixture;
let sandboxUser: UserFixture;
let own: InsertedExport;
let globexCompleted: InsertedExport;
let globexRunning: InsertedExport;
let sandboxCompleted: InsertedExport;
let sandboxRunning: InsertedExport;
/** Emails the Acme admin's production session must never see. */
let foreignEmails: string[];
const contexts: APIRequestContext[] = [];

async function session(email: string): Promise<APIRequestContext> {
  const context = await signInApi(email);
  contexts.push(context);
  return context;
}

function expectNoForeignEmails(text: string, label: string): void {
  const leaked = foreignEmails.filter((email) => text.includes(email));
  expect(leaked, `${label} leaks another tenant's or environment's emails`).toEqual([]);
}

test.beforeAll(async () => {
  db = await connectDb();
  acme = await seededTenant(db, 'acme', logins.acmeAdmin);
  globex = await seededTenant(db, 'globex', logins.globexAdmin);
  const viewer = await db.query<{ id: string }>('select id from admins where lower(email) = $1', [logins.acmeViewer]);
  viewerId = viewer.rows[0]!.id;

  acmeUser = await pickUser(db, acme.production, { zeroEvents: true, newestEmailFirst: true });
  // Not the first Globex user: exports.spec clicks that one.
  globexUser = await pickUser(db, globex.production, { newestEmailFirst: true });
  sandboxUser = await pickUser(db, acme.sandbox, { newestEmailFirst: true });

  own = await insertExport(db, s3, env.S3_BUCKET, { user: acmeUser, requestedBy: acme.adminId, status: 'completed' });
  globexCompleted = await insertExport(db, s3, env.S3_BUCKET, { user: globexUser, requestedBy: globex.adminId, status: 'completed' });
  globexRunning = await insertExport(db, s3, env.S3_BUCKET, { user: globexUser, requestedBy: globex.adminId, status: 'running' });
  sandboxCompleted = await insertExport(db, s3, env.S3_BUCKET, { user: sandboxUser, requestedBy: acme.adminId, status: 'completed' });
  sandboxRunning = await insertExport(db, s3, env.S3_BUCKET, { user: sandboxUser, requestedBy: acme.adminId, status: 'running' });

  foreignEmails = [...(await tenantEmails(db, globex.tenantId)), ...(await tenantEmails(db, acme.tenantId, acme.sandbox))];
  expect(foreignEmails).toContain(globexUser.email);
  expect(foreignEmails).toContain(sandboxUser.email);
  expect(foreignEmails).toContain(logins.globexAdmin);
});

test.afterAll(async () => {
  for (const context of contexts) await context.dispose();
  await deleteExports(db, s3, env.S3_BUCKET, [own, globexCompleted, globexRunning, sandboxCompleted, sandboxRunning].filter(Boolean));
  await db.end();
  s3.destroy();
});

/** The declared routes withRoute serves (next-auth's own are its business), with their declarations. */
const declaredRoutes = (Object.entries(routes) as [DeclaredRoute, RouteDeclaration][]).filter(([, route]) => !route.handledBy);

/**
 * Calls a declared route as a browser on the app's own pages would (same Origin on a POST),
 * with {id} an export of Acme production and {userId} a user of it.
 */
function callRoute(context: APIRequestContext, key: DeclaredRoute): Promise<APIResponse> {
  const { method, path } = splitRouteKey(key);
  const url = path.replace('{id}', own.id).replace('{userId}', acmeUser.id);
  return method === 'GET' ? context.get(url, { maxRedirects: 0 }) : context.post(url, { headers: { origin: appOrigin } });
}

async function statusOf(id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ status: string }>('select status from exports where id = $1', [id]);
  return rows[0]?.status;
}

async function auditCount(adminId: string, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from audit_log where admin_id = $1 and created_at >= $2 and action <> 'auth.signed_in'`,
    [adminId, since],
  );
  return rows[0]!.n;
}

test.describe('tenant and environment isolation', () => {
  test('another tenant’s and another environment’s exports and users answer 404 on every route', async () => {
    const since = await databaseNow(db);
    const admin = await session(logins.acmeAdmin);
    expect((await readSession(admin)).admin?.environmentId).toBe(acme.production);

    const foreignExports = { globexCompleted, globexRunning, sandboxCompleted, sandboxRunning };
    for (const [name, exp] of Object.entries(foreignExports)) {
      const calls: [string, () => Promise<APIResponse>][] = [
        [`GET /api/exports/{${name}}`, () => admin.get(`/api/exports/${exp.id}`)],
        [`GET /api/exports/{${name}}/download`, () => admin.get(`/api/exports/${exp.id}/download`, { maxRedirects: 0 })],
        [`POST /api/exports/{${name}}/cancel`, () => admin.post(`/api/exports/${exp.id}/cancel`)],
      ];
      for (const [label, call] of calls) {
        const { text } = await expectApiError(await call(), 404, label);
        expectNoForeignEmails(text, label);
      }
    }

    for (const [name, user] of Object.entries({ globexUser, sandboxUser })) {
      const calls: [string, () => Promise<APIResponse>][] = [
        [`POST /api/users/{${name}}/exports`, () => admin.post(`/api/users/${user.id}/exports`)],
        [`GET /api/exports?userId={${name}}`, () => admin.get(`/api/exports?userId=${user.id}`)],
      ];
      for (const [label, call] of calls) {
        const { text } = await expectApiError(await call(), 404, label);
        expectNoForeignEmails(text, label);
      }
    }

    // Lists and search show only Acme production.
    const list = await admin.get('/api/exports?limit=100');
    expect(list.status()).toBe(200);
    const listText = await list.text();
    expectNoForeignEmails(listText, 'GET /api/exports');
    const listed = (JSON.parse(listText) as { exports: { id: string }[] }).exports.map((e) => e.id);
    expect(listed).toContain(own.id);
    for (const exp of Object.values(foreignExports)) expect(listed).not.toContain(exp.id);

    const search = await admin.get(`/api/users?search=${encodeURIComponent(globexUser.email)}`);
    expect(search.status()).toBe(200);
    expect(((await search.json()) as { users: unknown[] }).users).toEqual([]);
    const users = await admin.get('/api/users?limit=100');
    expect(users.status()).toBe(200);
    expectNoForeignEmails(await users.text(), 'GET /api/users');
    const audit = await admin.get('/api/audit?limit=100');
    expect(audit.status()).toBe(200);
    expectNoForeignEmails(await audit.text(), 'GET /api/audit');

    // Nothing happened to the foreign rows, nothing was started, nothing was audited.
    expect(await statusOf(globexRunning.id)).toBe('running');
    expect(await statusOf(sandboxRunning.id)).toBe('running');
    expect(await statusOf(globexCompleted.id)).toBe('completed');
    expect(await statusOf(sandboxCompleted.id)).toBe('completed');
    // A bulk export naming another tenant's or environment's user: 404, and nothing starts.
    for (const foreign of [globexUser, sandboxUser]) {
      const { text } = await expectApiError(
        await admin.post('/api/bulk-exports', { data: { userIds: [acmeUser.id, foreign.id] } }),
        404,
        'POST /api/bulk-exports with a foreign user',
      );
      expectNoForeignEmails(text, 'POST /api/bulk-exports');
    }
    const bulks = await admin.get('/api/bulk-exports?limit=100');
    expect(bulks.status()).toBe(200);
    expectNoForeignEmails(await bulks.text(), 'GET /api/bulk-exports');
    expect(await exportsOfUserSince(db, globexUser.id, since)).toEqual([]);
    expect(await exportsOfUserSince(db, sandboxUser.id, since)).toEqual([]);
    expect(await exportsOfUserSince(db, acmeUser.id, since)).toEqual([]);
    expect(await auditCount(acme.adminId, since)).toBe(0);

    // Control: the rows exist and their own tenant sees them, so the 404s above are isolation.
    const globexAdmin = await session(logins.globexAdmin);
    const mine = await globexAdmin.get(`/api/exports/${globexCompleted.id}`);
    expect(mine.status()).toBe(200);
    expect(((await mine.json()) as { export: { userEmail: string } }).export.userEmail).toBe(globexUser.email);
  });

  test('a viewer may look but not export, cancel or download', async () => {
    const since = await databaseNow(db);
    const viewer = await session(logins.acmeViewer);

    // Every route the list reserves for the admin role (lib/http/routes.ts).
    const adminOnly = declaredRoutes.filter(([, route]) => route.access === 'admin-role').map(([key]) => key);
    expect(adminOnly).toEqual(expect.arrayContaining(['POST /api/users/{userId}/exports', 'POST /api/bulk-exports', 'GET /api/audit.csv']));
    for (const key of adminOnly) await expectApiError(await callRoute(viewer, key), 403, `viewer ${key}`);
    await expectApiError(await viewer.post('/api/bulk-exports', { data: { userIds: [acmeUser.id] } }), 403, 'viewer POST /api/bulk-exports (userIds)');
    await expectApiError(await viewer.post('/api/bulk-exports', { data: { all: true } }), 403, 'viewer POST /api/bulk-exports (all)');
    expect((await viewer.get('/api/bulk-exports')).status()).toBe(200);

    const list = await viewer.get('/api/exports');
    expect(list.status()).toBe(200);
    expect(((await list.json()) as { exports: unknown[] }).exports).toEqual(expect.any(Array));
    const one = await viewer.get(`/api/exports/${own.id}`);
    expect(one.status()).toBe(200);
    expect(((await one.json()) as { export: { status: string } }).export.status).toBe('completed');
    expect((await viewer.get('/api/users')).status()).toBe(200);

    expect(await exportsOfUserSince(db, acmeUser.id, since)).toEqual([]);
    expect(await auditCount(viewerId, since)).toBe(0);
  });

  test('without a session every API route answers 401 and the pages send to the login page', async ({ page }) => {
    const anonymous = await anonymousContext();
    contexts.push(anonymous);
    // Every route the list does not declare public, plus variants the list does not spell.
    const calls: [string, () => Promise<APIResponse>][] = [
      ...declaredRoutes
        .filter(([, route]) => route.access !== 'public')
        .map(([key]): [string, () => Promise<APIResponse>] => [key, () => callRoute(anonymous, key)]),
      ['GET /api/exports?userId=', () => anonymous.get(`/api/exports?userId=${acmeUser.id}`)],
      ['POST /api/users/{id}/exports (no Origin)', () => anonymous.post(`/api/users/${acmeUser.id}/exports`)],
      ['POST /api/bulk-exports (with a body)', () => anonymous.post('/api/bulk-exports', { data: { userIds: [acmeUser.id] }, headers: { origin: appOrigin } })],
    ];
    expect(calls.length).toBeGreaterThan(16);
    for (const [label, call] of calls) {
      const { text } = await expectApiError(await call(), 401, `anonymous ${label}`);
      expectNoForeignEmails(text, label);
      expect(text).not.toContain(acmeUser.email);
    }

    // The public ones stay public.
    const health = await anonymous.get('/api/health');
    expect([200, 503]).toContain(health.status());
    const openapi = await anonymous.get('/api/openapi.json');
    expect(openapi.status()).toBe(200);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\.1/);

    for (const path of ['/users', '/exports', '/audit']) {
      await page.goto(path);
      await expect(page, `${path} without a session`).toHaveURL(/\/login(\?|$)/);
      await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    }
  });

  test('cross-site state changes are refused even with an admin session, and change nothing', async () => {
    const since = await databaseNow(db);
    const admin = await session(logins.acmeAdmin);
    const crossSite: [string, Record<string, string>][] = [
      ['Origin: https://evil.example', { origin: 'https://evil.example' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site: cross-site with a same-origin Origin', { 'sec-fetch-site': 'cross-site', origin: appOrigin }],
      ['Origin: null', { origin: 'null' }],
      ['Origin on another port', { origin: `${new URL(appOrigin).protocol}//${new URL(appOrigin).hostname}:1` }],
    ];
    for (const [label, headers] of crossSite) {
      const started = await admin.post(`/api/users/${acmeUser.id}/exports`, { headers });
      const { body } = await expectApiError(started, 403, `POST /api/users/{id}/exports, ${label}`);
      expect(body.error.code).toBe('forbidden');
      // Would be 409 (already completed) if the request got through.
      await expectApiError(await admin.post(`/api/exports/${own.id}/cancel`, { headers }), 403, `POST /api/exports/{id}/cancel, ${label}`);
      await expectApiError(await admin.post('/api/bulk-exports', { headers, data: { userIds: [acmeUser.id] } }), 403, `POST /api/bulk-exports, ${label}`);
    }
    expect(await exportsOfUserSince(db, acmeUser.id, since)).toEqual([]);
    expect(await statusOf(own.id)).toBe('completed');
    expect(await auditCount(acme.adminId, since)).toBe(0);
  });

  test('an environment switch to another tenant’s environment is ignored; to an own one it works', async () => {
    const admin = await session(logins.acmeAdmin);

    const attempts: unknown[] = [
      { environmentId: globex.production },
      { environmentId: globex.sandbox },
      { environmentId: globex.production, tenantId: globex.tenantId },
      { environmentId: 'not-a-uuid' },
    ];
    for (const data of attempts) {
      const response = await updateSession(admin, data);
      expect(response.status(), JSON.stringify(data)).toBe(200);
      const current = await readSession(admin);
      expect(current.admin?.environmentId, JSON.stringify(data)).toBe(acme.production);
      expect(current.admin?.tenantId, JSON.stringify(data)).toBe(acme.tenantId);
    }

    const users = await admin.get('/api/users?limit=100');
    expect(users.status()).toBe(200);
    const emails = ((await users.json()) as { users: { email: string }[] }).users.map((u) => u.email);
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.filter((email) => !/^[^@]+@acme\.example$/.test(email))).toEqual([]);
    await expectApiError(await admin.get(`/api/exports/${globexCompleted.id}`), 404, 'Globex export after a refused switch');

    // Its own sandbox: accepted, and the scope follows.
    expect((await updateSession(admin, { environmentId: acme.sandbox })).status()).toBe(200);
    expect((await readSession(admin)).admin?.environmentId).toBe(acme.sandbox);
    const sandboxUsers = await admin.get('/api/users?limit=100');
    expect(sandboxUsers.status()).toBe(200);
    const sandboxEmails = ((await sandboxUsers.json()) as { users: { email: string }[] }).users.map((u) => u.email);
    expect(sandboxEmails).toContain(sandboxUser.email);
    expect(sandboxEmails.filter((email) => !email.endsWith('@sandbox.acme.example'))).toEqual([]);
    const visible = await admin.get(`/api/exports/${sandboxCompleted.id}`);
    expect(visible.status()).toBe(200);
    expect(((await visible.json()) as { export: { userEmail: string } }).export.userEmail).toBe(sandboxUser.email);
    await expectApiError(await admin.get(`/api/exports/${own.id}`), 404, 'production export from the sandbox session');
  });

  test('an admin downloads an own completed export through a short-lived presigned link', async () => {
    const since = await databaseNow(db);
    const admin = await session(logins.acmeAdmin);
    const response = await admin.get(`/api/exports/${own.id}/download`, { maxRedirects: 0 });
    expect(response.status(), await response.text()).toBe(302);
    const location = response.headers().location;
    expect(location).toBeTruthy();
    const url = new URL(location!);
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(linkTtl));
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const disposition = url.searchParams.get('response-content-disposition') ?? '';
    expect(disposition).toMatch(/^attachment;\s*filename="?[^"]+\.zip"?$/);
    expect(disposition).toContain(own.fileName!);
    // The link must not carry any email.
    expect(location).not.toContain(acmeUser.email);

    const signed = await fetch(location!);
    expect(signed.status).toBe(200);
    expect(signed.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(Buffer.from(await signed.arrayBuffer()).equals(own.body!)).toBe(true);

    const unsigned = await fetch(`${url.origin}${url.pathname}`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).not.toContain(own.body!.toString());

    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from audit_log where admin_id = $1 and export_id = $2 and action = 'export.downloaded' and created_at >= $3`,
      [acme.adminId, own.id, since],
    );
    expect(rows[0]!.n).toBe(1);
  });
});
