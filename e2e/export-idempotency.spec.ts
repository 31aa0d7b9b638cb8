import { expect, test } from '@playwright/test';
import type pg from 'pg';
import { connectDb, pickUser, seededTenant } from './api/data';
import { appOrigin } from './api/session';
import { logins, signIn, startExport, userRow, userRows } from './fixtures';

/**
 * The Export button sends an Idempotency-Key (issue 10 §6), a fresh one per click: a
 * request of that click sent again (a retry after a lost answer) returns the click's
 * export, while a later click is a request of its own.
 */
let db: pg.Client;

test.beforeAll(async () => {
  db = await connectDb();
});

test.afterAll(async () => {
  await db.end();
});

test('each click of Start export sends an Idempotency-Key of its own, and a replay of a click returns its export', async ({ page }) => {
  const acme = await seededTenant(db, 'acme', logins.acmeAdmin);
  const user = await pickUser(db, acme.sandbox, { zeroEvents: true, newestEmailFirst: true });
  await signIn(page, logins.acmeAdmin);
  await page.getByLabel('Environment').selectOption({ label: 'Sandbox' });
  // The switch reloads the list (and clears the search): search once it shows Sandbox's users.
  await expect(userRows(page).first()).toContainText('@sandbox.acme.example');
  await page.getByLabel('Search users').fill(user.email);
  await expect(userRow(page, user.email)).toBeVisible();

  const clicks: { key: string | undefined; exportId: string }[] = [];
  for (let click = 0; click < 2; click++) {
    const request = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === `/api/users/${user.id}/exports`);
    await startExport(page, user.email);
    const sent = await request;
    const response = await sent.response();
    expect([200, 202]).toContain(response?.status());
    const body = (await response!.json()) as { export: { id: string } };
    clicks.push({ key: (await sent.allHeaders())['idempotency-key'], exportId: body.export.id });
  }
  for (const { key } of clicks) expect(key).toMatch(/^"[0-9a-f]{32}"$/);
  expect(clicks[1]!.key).not.toBe(clicks[0]!.key);

  const replay = await page.request.post(`/api/users/${user.id}/exports`, { headers: { origin: appOrigin, 'idempotency-key': clicks[0]!.key! } });
  expect(replay.status(), await replay.text()).toBe(200);
  expect(((await replay.json()) as { export: { id: string } }).export.id).toBe(clicks[0]!.exportId);
});
