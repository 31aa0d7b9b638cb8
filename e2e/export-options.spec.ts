import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import type pg from 'pg';
import { readZip } from '../tests/support/zip';
import { parseExportManifest } from '../lib/exports/archive/manifest';
import { connectDb, seededTenant } from './api/data';
import { expectNoAxeViolations, exportDialog, logins, signIn, startExport, userRow } from './fixtures';

/**
 * Export options on one export (issue 12 §2) in Chromium: the dialog behind Export on
 * /users (accessible, today's export one click away), a JSON Lines export of one UTC day,
 * the history showing format and range, and the downloaded file holding that day only.
 */
let db: pg.Client;
let user: { id: string; email: string };
/** A UTC day holding some, not all, of the user's events. */
let day: { date: string; count: number };

test.beforeAll(async () => {
  db = await connectDb();
  const acme = await seededTenant(db, 'acme', logins.acmeAdmin);
  const { rows } = await db.query<{ id: string; email: string; date: string; count: number }>(
    `select u.id, u.email, d.date, d.count from users u
     cross join lateral (
       select to_char(date_trunc('day', e.occurred_at at time zone 'UTC'), 'YYYY-MM-DD') as date, count(*)::int as count,
         sum(count(*)) over ()::int as total
       from events e where e.tenant_id = u.tenant_id and e.environment_id = u.environment_id and e.user_id = u.id
       group by 1
     ) d
     where u.environment_id = $1 and d.count < d.total and d.count between 50 and 5000
       and not exists (select 1 from exports x where x.user_id = u.id and x.status in ('queued', 'running'))
     order by u.email, d.date limit 1`,
    [acme.sandbox],
  );
  if (!rows[0]) throw new Error('no Acme sandbox user whose events span several UTC days');
  user = { id: rows[0].id, email: rows[0].email };
  day = { date: rows[0].date, count: rows[0].count };
});

test.afterAll(async () => {
  await db.end();
});

async function openUser(page: import('@playwright/test').Page) {
  await signIn(page, logins.acmeAdmin);
  await page.getByLabel('Environment').selectOption({ label: 'Sandbox' });
  await page.getByLabel('Search users').fill(user.email);
  await expect(userRow(page, user.email)).toBeVisible();
  return userRow(page, user.email);
}

test('the Export dialog is labelled, starts on "Start export" with CSV, closes on Escape without exporting, and refuses a backwards range', async ({
  page,
}) => {
  const row = await openUser(page);
  const before = (await db.query('select count(*)::int as n from exports where user_id = $1', [user.id])).rows[0].n;
  const button = row.getByRole('button', { name: `Export data for ${user.email}`, exact: true });
  await button.click();
  const dialog = exportDialog(page, user.email);
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Start export', exact: true })).toBeFocused();
  await expect(dialog.getByRole('radio', { name: 'CSV', exact: true })).toBeChecked();
  await expect(dialog.getByRole('radio', { name: 'CSV for Excel', exact: true })).not.toBeChecked();
  await expect(dialog.getByRole('radio', { name: 'JSON Lines', exact: true })).toHaveAccessibleDescription(/one JSON object per line/);
  await expect(dialog.getByLabel('From', { exact: true })).toHaveValue('');
  await expectNoAxeViolations(page);

  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(button).toBeFocused();

  await button.click();
  await dialog.getByLabel('From', { exact: true }).fill('2026-02-02');
  await dialog.getByLabel('To', { exact: true }).fill('2026-02-01');
  await dialog.getByRole('button', { name: 'Start export', exact: true }).click();
  await expect(dialog.getByRole('alert')).toHaveText('The From date must be on or before the To date.');
  await expect(dialog.getByLabel('From', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(dialog).toHaveCount(0);
  expect((await db.query('select count(*)::int as n from exports where user_id = $1', [user.id])).rows[0].n).toBe(before);
});

test("JSON Lines for one UTC day: the history shows format and range, and the download holds that day's events only", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const row = await openUser(page);
  await startExport(page, user.email, { format: 'JSON Lines', from: day.date, to: day.date });
  await expect(row.getByRole('status')).toContainText(/Export queued|An export of this user is already running/);
  await row.getByRole('link', { name: 'Exports', exact: true }).click();
  await expect(page).toHaveURL(/\/exports$/);

  const exportRow = page.getByRole('row').filter({ hasText: user.email }).first();
  await expect(exportRow).toContainText(`JSON Lines · Events ${day.date} – ${day.date} (UTC)`);
  await expect(exportRow.getByText('Completed', { exact: true })).toBeVisible({ timeout: 120_000 });
  await expectNoAxeViolations(page);

  const [download] = await Promise.all([page.waitForEvent('download'), exportRow.getByRole('link', { name: 'Download', exact: true }).click()]);
  expect(download.suggestedFilename()).toMatch(/^acme-sandbox-[0-9a-f-]{36}-\d{8}T\d{6}Z\.zip$/);
  const path = testInfo.outputPath('export.zip');
  await download.saveAs(path);
  const files = await readZip(await readFile(path));
  expect([...files.keys()]).toEqual(['profile.jsonl', 'events.jsonl', 'manifest.json']);
  const lines = files
    .get('events.jsonl')!
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { occurred_at: string });
  expect(lines).toHaveLength(day.count);
  for (const event of lines) expect(event.occurred_at.slice(0, 10)).toBe(day.date);
  expect(JSON.parse(files.get('profile.jsonl')!.toString('utf8'))).toMatchObject({ user_id: user.id, email: user.email });
  const next = new Date(`${day.date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  const manifest = parseExportManifest(files.get('manifest.json')!);
  expect(manifest).toMatchObject({ format: 'jsonl', range: { from: `${day.date}T00:00:00.000Z`, to: next.toISOString() } });
});
