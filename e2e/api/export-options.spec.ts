import { expect, test, type APIRequestContext } from '@playwright/test';
import type pg from 'pg';
import { logins } from '../fixtures';
import { ageRecentExports, connectDb, databaseNow, exportsOfUserSince, pickUser, seededTenant, type UserFixture } from './data';
import { expectApiError } from './expect-api';
import { signInApi } from './session';

/**
 * The export request's optional body over HTTP (issue 12 §2): `{}` is today's export,
 * options show on the export, and bad options are a 400 naming the problem with a hint.
 */
let db: pg.Client;
let admin: APIRequestContext;
let user: UserFixture;

test.beforeAll(async () => {
  db = await connectDb();
  // Globex: the Acme specs take Acme's zero-event users, and these exports would be the
  // newest rows of their history. The session's environment (production): another's user is a 404.
  const globex = await seededTenant(db, 'globex', logins.globexAdmin);
  user = await pickUser(db, globex.production, { zeroEvents: true });
  admin = await signInApi(logins.globexAdmin);
});

test.afterAll(async () => {
  await admin.dispose();
  await db.end();
});

const json = { 'content-type': 'application/json' };

test("`{}` starts today's export (202, csv, no range); options are echoed on the export", async () => {
  await ageRecentExports(db, user.id);
  const empty = await admin.post(`/api/users/${user.id}/exports`, { headers: json, data: '{}' });
  expect([200, 202]).toContain(empty.status());
  expect((await empty.json()).export).toMatchObject({ format: 'csv', range: null });

  const ranged = await admin.post(`/api/users/${user.id}/exports`, {
    headers: json,
    data: { format: 'jsonl', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00+01:00' },
  });
  expect(ranged.status()).toBe(202);
  const exp = (await ranged.json()).export;
  expect(exp).toMatchObject({ format: 'jsonl', range: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T23:00:00.000Z' } });
  expect(ranged.headers().location).toBe(`/api/exports/${exp.id}`);
  const fetched = await admin.get(`/api/exports/${exp.id}`);
  expect((await fetched.json()).export).toMatchObject({ format: 'jsonl', range: exp.range });
});

test('bad options are a 400 that says what is wrong, with a hint, and start nothing', async () => {
  const since = await databaseNow(db);
  const cases: [string, unknown, RegExp][] = [
    ['an unknown format', { format: 'xlsx' }, /format must be one of csv, csv-excel, jsonl/],
    ['from after to', { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, /from must be before to/],
    ['from equal to to', { from: '2026-01-01T00:00:00Z', to: '2026-01-01T01:00:00+01:00' }, /from must be before to/],
    ['a date without a time', { from: '2026-01-01' }, /from must be an RFC 3339 date-time/],
    ['a time without a zone', { to: '2026-01-01T00:00:00' }, /to must be an RFC 3339 date-time/],
    ['a number', { from: 1767225600000 }, /from must be an RFC 3339 date-time/],
    ['options with retryOf', { retryOf: '6f1c1d1e-8a9b-4c2d-9e3f-0a1b2c3d4e5f', format: 'jsonl' }, /retryOf repeats that export/],
    ['an unknown field', { format: 'csv', columns: ['email'] }, /only the fields format, from, to and retryOf/],
  ];
  for (const [label, data, message] of cases) {
    const { body } = await expectApiError(await admin.post(`/api/users/${user.id}/exports`, { headers: json, data }), 400, label);
    expect(body.error.message, label).toMatch(message);
    expect(body.error.hint, label).toMatch(/openapi/);
  }
  expect(await exportsOfUserSince(db, user.id, since)).toEqual([]);
});
