import { randomBytes, randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext, type APIResponse } from '@playwright/test';
import type pg from 'pg';
import { logins } from '../fixtures';
import { connectDb, databaseNow, exportsOfUserSince, pickUser, seededTenant, type UserFixture } from './data';
import { expectApiError, expectNoInternals } from './expect-api';
import { anonymousContext, signInApi } from './session';

/**
 * A corpus of malformed input against every route, as an admin: each answer is a 4xx
 * (the status SPEC §6 names where it names one) with the `{ error: { code, message,
 * hint } }` shape and no internals, never a 500.
 */
let db: pg.Client;
let admin: APIRequestContext;
/** Acme production, no events: a POST that slipped through would start a real export. */
let user: UserFixture;
let since: Date;

test.beforeAll(async () => {
  db = await connectDb();
  const acme = await seededTenant(db, 'acme', logins.acmeAdmin);
  user = await pickUser(db, acme.production, { zeroEvents: true });
  admin = await signInApi(logins.acmeAdmin);
  since = await databaseNow(db);
});

test.afterAll(async () => {
  await admin.dispose();
  await db.end();
});

/** However the corpus went, it must not have started an export. */
async function expectNoExportStarted(): Promise<void> {
  expect(await exportsOfUserSince(db, user.id, since), 'exports started by malformed requests').toEqual([]);
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * Path segments, already encoded for the URL, with the decoded value for query strings.
 * 400 is the contract for a malformed id; a well-formed non-v4-looking UUID may be 404.
 */
const malformedIds: { label: string; segment: string; value: string; statuses: number[] }[] = [
  { label: "'abc'", segment: 'abc', value: 'abc', statuses: [400] },
  { label: "'../etc/passwd'", segment: encodeURIComponent('../etc/passwd'), value: '../etc/passwd', statuses: [400] },
  { label: `"' or 1=1 --"`, segment: encodeURIComponent("' or 1=1 --"), value: "' or 1=1 --", statuses: [400] },
  { label: 'NUL byte (%00)', segment: '%00', value: '\u0000', statuses: [400] },
  { label: "literal '%00'", segment: encodeURIComponent('%00'), value: '%00', statuses: [400] },
  { label: "'a' × 5000", segment: encodeURIComponent('a'.repeat(5000)), value: 'a'.repeat(5000), statuses: [400] },
  { label: 'UUID with a trailing character', segment: `${randomUUID()}x`, value: `${randomUUID()}x`, statuses: [400] },
  { label: 'UUID of non-hex digits', segment: 'zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz', value: 'zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz', statuses: [400] },
  { label: 'UUID with version 0', segment: '6f1c1d1e-8a9b-0c2d-9e3f-0a1b2c3d4e5f', value: '6f1c1d1e-8a9b-0c2d-9e3f-0a1b2c3d4e5f', statuses: [400, 404] },
  {
    label: 'UUID with version 9 and variant f',
    segment: '6f1c1d1e-8a9b-9c2d-fe3f-0a1b2c3d4e5f',
    value: '6f1c1d1e-8a9b-9c2d-fe3f-0a1b2c3d4e5f',
    statuses: [400, 404],
  },
  { label: 'nil UUID', segment: '00000000-0000-0000-0000-000000000000', value: '00000000-0000-0000-0000-000000000000', statuses: [400, 404] },
  {
    label: 'unicode digits',
    segment: encodeURIComponent('６f1c1d1e-8a9b-4c2d-9e3f-0a1b2c3d4e5f'),
    value: '６f1c1d1e-8a9b-4c2d-9e3f-0a1b2c3d4e5f',
    statuses: [400],
  },
  { label: 'markup', segment: encodeURIComponent('<script>alert(1)</script>'), value: '<script>alert(1)</script>', statuses: [400] },
];

/**
 * Runs every case of a corpus and fails once at the end with the list of inputs that were
 * mishandled, so one bad answer does not hide the others.
 */
class Findings {
  private readonly failures: string[] = [];

  async check(label: string, request: () => Promise<APIResponse>, statuses: number[]): Promise<void> {
    await this.run(label, async () => {
      await expectApiError(await request(), statuses, label);
    });
  }

  /** 200 with a JSON body and no internals, or one of `statuses` with the error shape. */
  async checkOkOr(label: string, request: () => Promise<APIResponse>, statuses: number[]): Promise<void> {
    await this.run(label, async () => {
      const response = await request();
      if (response.status() !== 200) {
        await expectApiError(response, statuses, label);
        return;
      }
      const text = await response.text();
      expectNoInternals(text, label);
      JSON.parse(text);
    });
  }

  private async run(label: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes (ESC[…m) from Playwright's messages
      const message = (error instanceof Error ? error.message : String(error)).replace(/\u001b\[[0-9;]*m/g, '');
      const first =
        message
          .split('\n')
          .find((line) => line.trim() !== '')
          ?.trim() ?? '';
      this.failures.push(first.includes(label) ? first : `${label}: ${first}`);
    }
  }

  expectNone(): void {
    expect(this.failures, `${this.failures.length} input(s) mishandled:\n${this.failures.join('\n')}`).toEqual([]);
  }
}

test('malformed ids answer 400 on every route, never a 500', async () => {
  const findings = new Findings();
  for (const id of malformedIds) {
    const calls: [string, () => Promise<APIResponse>][] = [
      ['GET /api/exports/{id}', () => admin.get(`/api/exports/${id.segment}`)],
      ['GET /api/exports/{id}/download', () => admin.get(`/api/exports/${id.segment}/download`, { maxRedirects: 0 })],
      ['POST /api/exports/{id}/cancel', () => admin.post(`/api/exports/${id.segment}/cancel`)],
      ['POST /api/users/{userId}/exports', () => admin.post(`/api/users/${id.segment}/exports`)],
      ['GET /api/exports?userId=', () => admin.get(`/api/exports?userId=${encodeURIComponent(id.value)}`)],
      ['GET /api/bulk-exports/{id}', () => admin.get(`/api/bulk-exports/${id.segment}`)],
      ['GET /api/bulk-exports/{id}/download', () => admin.get(`/api/bulk-exports/${id.segment}/download`, { maxRedirects: 0 })],
      ['POST /api/bulk-exports/{id}/cancel', () => admin.post(`/api/bulk-exports/${id.segment}/cancel`)],
    ];
    for (const [route, call] of calls) await findings.check(`${route} with ${id.label}`, call, id.statuses);
  }
  findings.expectNone();
  await expectNoExportStarted();
});

test('invalid cursors answer 400 on every list route', async () => {
  const findings = new Findings();
  const cursors: [string, string][] = [
    ['random base64url', randomBytes(48).toString('base64url')],
    ['base64url of an object', b64('{"sortKey":"2026-01-01T00:00:00.000Z","id":"x"}')],
    ['base64url of numbers', b64('[1,2]')],
    ['base64url of a pair with a bad id', b64('["2026-01-01T00:00:00.000Z","not-a-uuid"]')],
    ['base64url of a string', b64('"cursor"')],
    ['base64url of null', b64('null')],
    ['base64url of a triple', b64(`["2026-01-01T00:00:00.000Z","${randomUUID()}","extra"]`)],
    ['base64url of a pair with an empty sort key', b64(`["","${randomUUID()}"]`)],
    ['base64url of a pair with a 401-character sort key', b64(`["${'k'.repeat(401)}","${randomUUID()}"]`)],
    ["'x' × 700", 'x'.repeat(700)],
    ['characters outside base64url', 'abc+/='],
    ['spaces', 'a b c'],
  ];
  for (const route of ['/api/users', '/api/exports', '/api/audit', '/api/bulk-exports']) {
    for (const [label, cursor] of cursors) {
      await findings.check(`GET ${route} with cursor ${label}`, () => admin.get(`${route}?cursor=${encodeURIComponent(cursor)}`), [400]);
    }
  }
  findings.expectNone();
});

test('well-shaped cursors with hostile values never cause a 500', async () => {
  const findings = new Findings();
  // Clients must not build cursors, but one that decodes must still end in 200 or 400.
  const hostile: [string, string][] = [
    ['a sort key 200,000 years BC', b64(`["-200000-01-01T00:00:00.000Z","${randomUUID()}"]`)],
    ['a sort key in year 275,760', b64(`["+275760-09-13T00:00:00.000Z","${randomUUID()}"]`)],
    ['a sort key holding a NUL byte', b64(`["a\\u0000b","${randomUUID()}"]`)],
    ['a sort key holding a lone surrogate', b64(`["\\ud800","${randomUUID()}"]`)],
  ];
  for (const route of ['/api/users', '/api/exports', '/api/audit', '/api/bulk-exports']) {
    for (const [label, cursor] of hostile) {
      await findings.checkOkOr(`GET ${route} with ${label}`, () => admin.get(`${route}?cursor=${cursor}`), [400]);
    }
  }
  findings.expectNone();
});

test('invalid limits and filters answer 400 on every list route', async () => {
  const findings = new Findings();
  const limits = ['0', '101', '-1', 'abc', '1.5', '1e309', '0x', '[]'];
  for (const route of ['/api/users', '/api/exports', '/api/audit', '/api/bulk-exports']) {
    for (const limit of limits) {
      await findings.check(`GET ${route}?limit=${JSON.stringify(limit)}`, () => admin.get(`${route}?limit=${encodeURIComponent(limit)}`), [400]);
    }
  }
  for (const status of ['bogus', 'COMPLETED', 'queued,running']) {
    await findings.check(`GET /api/exports?status=${JSON.stringify(status)}`, () => admin.get(`/api/exports?status=${encodeURIComponent(status)}`), [400]);
  }
  await findings.check('GET /api/users?search= (201 characters)', () => admin.get(`/api/users?search=${'s'.repeat(201)}`), [400]);
  findings.expectNone();
});

test('a user search with odd characters finds nobody or is refused, never a 500', async () => {
  const findings = new Findings();
  // Already encoded; %ED%A0%80 is a UTF-16 surrogate written as UTF-8 (invalid).
  for (const search of ['%00', 'a%00b', '%25', '_', '%5C', encodeURIComponent("' or 1=1 --"), '%ED%A0%80', '%FF', encodeURIComponent('🎉')]) {
    await findings.checkOkOr(`GET /api/users?search=${search}`, () => admin.get(`/api/users?search=${search}`), [400]);
  }
  findings.expectNone();
});

test('bodies: too large → 413, anything but no body (or {} for an export request) → 400', async () => {
  const findings = new Findings();
  const json = { 'content-type': 'application/json' };
  const big = JSON.stringify({ pad: 'x'.repeat(20 * 1024) });
  const bodies: { label: string; headers: Record<string, string>; data: string | Buffer; statuses: number[] }[] = [
    { label: '20 KiB of JSON', headers: json, data: big, statuses: [413] },
    { label: '20 KiB of spaces', headers: json, data: ' '.repeat(20 * 1024), statuses: [413] },
    { label: '20 KiB of text/plain', headers: { 'content-type': 'text/plain' }, data: 'y'.repeat(20 * 1024), statuses: [413] },
    { label: "'{'", headers: json, data: '{', statuses: [400] },
    { label: "'null'", headers: json, data: 'null', statuses: [400] },
    { label: "'[]'", headers: json, data: '[]', statuses: [400] },
    { label: '\'"string"\'', headers: json, data: '"string"', statuses: [400] },
    { label: "'123'", headers: json, data: '123', statuses: [400] },
    { label: 'an unknown field', headers: json, data: '{"extra":1}', statuses: [400] },
    { label: 'an empty object', headers: json, data: '{}', statuses: [400] },
    { label: 'a prototype-pollution attempt', headers: json, data: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', statuses: [400] },
    { label: 'invalid UTF-8', headers: json, data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), statuses: [400] },
    { label: 'text/plain', headers: { 'content-type': 'text/plain' }, data: 'hello', statuses: [400] },
    { label: 'a form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: 'a=1&b=2', statuses: [400] },
    {
      label: 'XML',
      headers: { 'content-type': 'application/xml' },
      data: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
      statuses: [400],
    },
  ];
  // A real user and a random export id: were the body ignored, these would be 202 and 404.
  // The export request takes an optional `{ retryOf }`, so `{}` is a plain export there.
  const routes: [string, string, typeof bodies][] = [
    ['POST /api/users/{userId}/exports', `/api/users/${user.id}/exports`, bodies.filter((b) => b.label !== 'an empty object')],
    ['POST /api/exports/{id}/cancel', `/api/exports/${randomUUID()}/cancel`, bodies],
    // `{}` names neither userIds nor all: 400 like the rest. Its cap is 64 KiB (1000 user ids),
    // so 20 KiB is read and refused as invalid, and the oversized bodies are 80 KiB.
    [
      'POST /api/bulk-exports',
      '/api/bulk-exports',
      bodies.map((b) => (b.statuses[0] === 413 ? { ...b, label: b.label.replace('20 KiB', '80 KiB'), data: b.data.toString().repeat(4) } : b)),
    ],
    ['POST /api/bulk-exports', '/api/bulk-exports', bodies.filter((b) => b.statuses[0] === 413).map((b) => ({ ...b, statuses: [400] }))],
  ];
  for (const [route, path, routeBodies] of routes) {
    for (const body of routeBodies) {
      await findings.check(`${route} with ${body.label}`, () => admin.post(path, { headers: body.headers, data: body.data }), body.statuses);
    }
    await findings.check(
      `${route} with multipart/form-data`,
      () => admin.post(path, { multipart: { field: 'value', file: { name: 'x.txt', mimeType: 'text/plain', buffer: Buffer.from('x') } } }),
      [400],
    );
  }
  findings.expectNone();
  await expectNoExportStarted();
});

test('anonymous GET /api/health says only whether the app is up', async () => {
  const anonymous = await anonymousContext();
  try {
    const response = await anonymous.get('/api/health');
    expect([200, 503]).toContain(response.status());
    const text = await response.text();
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['status']);
    expect(typeof body.status).toBe('string');
    expectNoInternals(text, 'GET /api/health');
  } finally {
    await anonymous.dispose();
  }
});
