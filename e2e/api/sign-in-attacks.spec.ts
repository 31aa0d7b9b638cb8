import { expect, test, type APIRequestContext } from '@playwright/test';
import type pg from 'pg';
import { signInThrottle } from '../../lib/auth/sign-in-throttle';
import { createTestAdmin, type TestAdmin } from './accounts';
import { connectDb } from './data';
import { postCredentials, postEndlessBody, rawRequest, sessionCookieSet } from './raw-http';
import { anonymousContext, appOrigin, cookieHeader, signInApi } from './session';

/**
 * Password guessing against the credentials callback, performed as an attacker would
 * (issue 9 §1 and §3): bursts, other paths and body types, forged X-Forwarded-For, and
 * locking a victim out. Every request runs on its own connection from a chosen loopback
 * address, which the server sees as the client.
 */
let db: pg.Client;
const contexts: APIRequestContext[] = [];
const limit = signInThrottle.maxPerPair;

/** A form token and the cookie jar it belongs to. */
async function formToken(): Promise<{ csrfToken: string; cookie: string }> {
  const context = await anonymousContext();
  contexts.push(context);
  const { csrfToken } = (await (await context.get('/api/auth/csrf')).json()) as { csrfToken: string };
  return { csrfToken, cookie: await cookieHeader(context) };
}

async function attempts(admin: TestAdmin, password: string, count: number, from: string, headers?: (i: number) => Record<string, string>) {
  const { csrfToken, cookie } = await formToken();
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    statuses.push((await postCredentials({ email: admin.email, password, csrfToken }, { cookie, from, headers: headers?.(i) })).status);
  }
  return statuses;
}

test.beforeAll(async () => {
  db = await connectDb();
});
test.afterAll(async () => {
  for (const context of contexts) await context.dispose();
  await db.end();
});

test('50 parallel wrong passwords for one email: at most the limit reach the password check', async () => {
  const admin = await createTestAdmin(db, 'acme');
  const { csrfToken, cookie } = await formToken();
  const responses = await Promise.all(
    Array.from({ length: 50 }, () => postCredentials({ email: admin.email, password: 'wrong-password', csrfToken }, { cookie, from: '127.0.0.2' })),
  );
  const statuses = responses.map((r) => r.status);
  const checked = statuses.filter((s) => s === 401).length;
  expect(
    statuses.filter((s) => s !== 401 && s !== 429),
    statuses.join(','),
  ).toEqual([]);
  expect(checked, statuses.join(',')).toBeGreaterThan(0);
  expect(checked, statuses.join(',')).toBeLessThanOrEqual(limit);
  // What reached the password check is what the database counted: nothing left pending.
  const { rows } = await db.query<{ settled: number; pending: number }>(
    `select count(*) filter (where succeeded is not null)::int as settled, count(*) filter (where succeeded is null)::int as pending
     from sign_in_attempts where email = $1`,
    [admin.email],
  );
  expect(rows[0]).toEqual({ settled: checked, pending: 0 });
});

test('an extra path segment or a JSON body never reaches the password check', async () => {
  const admin = await createTestAdmin(db, 'acme');
  const { csrfToken, cookie } = await formToken();
  const right = { email: admin.email, password: admin.password, csrfToken };
  for (const path of ['/api/auth/callback/credentials/x', '/api/auth/callback/credentials/x/y', '/api/auth/signin/credentials', '/api/auth/_log']) {
    const response = await postCredentials(right, { cookie, from: '127.0.0.4', path });
    expect(response.status, `${path}: ${response.text}`).toBe(404);
    expect(sessionCookieSet(response), path).toBe(false);
  }
  const json = await rawRequest('POST', '/api/auth/callback/credentials', {
    from: '127.0.0.4',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ ...right, json: 'true' }),
  });
  expect(json.status, json.text).toBe(400);
  expect(sessionCookieSet(json)).toBe(false);
  // None of those counted or signed in; the exact path with a form still works.
  const form = await postCredentials(right, { cookie, from: '127.0.0.4' });
  expect(form.status, form.text).toBe(200);
  expect(sessionCookieSet(form)).toBe(true);
});

test('the form path refuses the attempt after the limit, with the wait in Retry-After', async () => {
  const admin = await createTestAdmin(db, 'acme');
  const statuses = await attempts(admin, 'wrong-password', limit + 1, '127.0.0.5');
  expect(statuses).toEqual([...Array(limit).fill(401), 429]);
  const { csrfToken, cookie } = await formToken();
  const refused = await postCredentials({ email: admin.email, password: admin.password, csrfToken }, { cookie, from: '127.0.0.5' });
  expect(refused.status).toBe(429);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(signInThrottle.windowSeconds - 120);
  expect(JSON.parse(refused.text).error.code).toBe('rate_limited');
});

test('a forged X-Forwarded-For neither buys new attempts nor locks out the address it names', async () => {
  const admin = await createTestAdmin(db, 'acme');
  // The attacker at 127.0.0.6 claims a new address each time, and names the victim's.
  const forged = (i: number) => ({ 'x-forwarded-for': i % 2 ? '127.0.0.7' : `203.0.113.${i}` });
  expect(await attempts(admin, 'wrong-password', limit + 2, '127.0.0.6', forged)).toEqual([...Array(limit).fill(401), 429, 429]);
  // The victim really at 127.0.0.7 still signs in.
  const { csrfToken, cookie } = await formToken();
  const victim = await postCredentials({ email: admin.email, password: admin.password, csrfToken }, { cookie, from: '127.0.0.7' });
  expect(victim.status, victim.text).toBe(200);
  expect(sessionCookieSet(victim)).toBe(true);
});

test('five wrong passwords from client A do not lock the admin out on client B; A stays refused', async () => {
  const admin = await createTestAdmin(db, 'globex');
  expect(await attempts(admin, 'wrong-password', limit, '127.0.0.8')).toEqual(Array(limit).fill(401));
  const { csrfToken, cookie } = await formToken();
  const fromB = await postCredentials({ email: admin.email, password: admin.password, csrfToken }, { cookie, from: '127.0.0.9' });
  expect(fromB.status, fromB.text).toBe(200);
  expect(sessionCookieSet(fromB)).toBe(true);
  const fromA = await postCredentials({ email: admin.email, password: admin.password, csrfToken }, { cookie, from: '127.0.0.8' });
  expect(fromA.status, fromA.text).toBe(429);
  expect(sessionCookieSet(fromA)).toBe(false);
});

test('auth bodies are capped while reading, chunked or not', async () => {
  const { cookie } = await formToken();
  const big = `email=a%40b.test&password=${'x'.repeat(64 * 1024)}`;
  const declared = await rawRequest('POST', '/api/auth/callback/credentials', {
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: big,
  });
  expect(declared.status).toBe(413);
  const chunked = await rawRequest('POST', '/api/auth/callback/credentials', {
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked', cookie },
    body: big,
  });
  expect(chunked.status).toBe(413);
});

test('an endless chunked body is refused while it is still arriving, on the open auth routes and signed-in ones', async () => {
  const { cookie } = await formToken();
  const admin = await createTestAdmin(db, 'acme');
  const signedIn = await signInApi(admin.email, admin.password);
  contexts.push(signedIn);
  const session = await cookieHeader(signedIn);
  const form = { 'content-type': 'application/x-www-form-urlencoded', cookie };
  const json = { 'content-type': 'application/json', cookie: session, origin: appOrigin };
  const cases: [string, Record<string, string>][] = [
    ['/api/auth/callback/credentials', form],
    ['/api/auth/signout', form],
    ['/api/auth/session', { ...json, cookie }],
    [`/api/exports/${admin.id}/cancel`, json],
    [`/api/users/${admin.id}/exports`, json],
  ];
  for (const [path, headers] of cases) {
    const response = await postEndlessBody(path, { headers });
    expect(response.answeredBeforeEnd, `${path} answered only after ${response.sentBytes} bytes, at the end`).toBe(true);
    // A server that reads bodies whole never closes early, so a reset mid-body is a refusal too; its 413 was lost on the way.
    if (response.resetBeforeAnswer) continue;
    expect(response.status, `${path}: ${response.text}`).toBe(413);
    expect(JSON.parse(response.text).error.code, path).toBe('payload_too_large');
  }
});
