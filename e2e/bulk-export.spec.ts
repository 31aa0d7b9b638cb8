import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, type Page, test } from '@playwright/test';
import pg from 'pg';
import { sharedEnv } from '../lib/env';
import { bulkManifestName, exportManifestName, parseBulkManifest, parseExportManifest } from '../lib/exports/archive/manifest';
import { readZip } from '../tests/support/zip';
import { expectNoAxeViolations, logins, signIn } from './fixtures';

/**
 * Bulk export in Chromium, in a tenant of its own (so its caps count only these exports):
 * select users → options → progress → download the ZIP; export all after a confirm, with
 * one user whose export fails; cancel; jsonl with a date range. The failing user's export row is held back from `running` by
 * a trigger, which the export activity reports as a non-retryable failure.
 */
const env = sharedEnv();
const db = new pg.Client({ connectionString: env.DATABASE_URL });
const suffix = randomUUID().slice(0, 8);
const domain = `bulk-${suffix}.example`;
const adminEmail = `admin@${domain}`;
const emails = ['ada', 'ben', 'cy', 'doomed'].map((name) => `${name}@${domain}`);
let tenantId = '';
let environmentId = '';
let adminId = '';
const userIds: Record<string, string> = {};

test.beforeAll(async () => {
  await db.connect();
  tenantId = (await db.query<{ id: string }>(`insert into tenants (slug, name) values ($1, $2) returning id`, [`bulk-${suffix}`, `Bulk ${suffix}`])).rows[0]!
    .id;
  environmentId = (
    await db.query<{ id: string }>(`insert into environments (tenant_id, slug, name) values ($1, 'production', 'Production') returning id`, [tenantId])
  ).rows[0]!.id;
  // The demo password, hashed as the seed hashed it for Acme's admin.
  adminId = (
    await db.query<{ id: string }>(
      `insert into admins (tenant_id, email, name, password_hash, role) select $1, $2, 'Bulk Admin', password_hash, 'admin' from admins where email = $3 returning id`,
      [tenantId, adminEmail, logins.acmeAdmin],
    )
  ).rows[0]!.id;
  for (const [i, email] of emails.entries()) {
    const { rows } = await db.query<{ id: string }>(`insert into users (tenant_id, environment_id, email, name) values ($1, $2, $3, $4) returning id`, [
      tenantId,
      environmentId,
      email,
      `User ${i}`,
    ]);
    userIds[email] = rows[0]!.id;
    await db.query(
      `insert into events (tenant_id, environment_id, user_id, type, occurred_at, properties)
       select $1, $2, $3, 'page.viewed', timestamptz '2026-01-01T00:00:00Z' + g * interval '1 minute', jsonb_build_object('n', g) from generate_series(1, $4::int) g`,
      [tenantId, environmentId, rows[0]!.id, 20 + i * 10],
    );
  }
  await db.query(`create or replace function bulk_e2e_block_running() returns trigger language plpgsql as $$
    begin if new.status = 'running' and new.user_id = '${userIds[`doomed@${domain}`]}' then return null; end if; return new; end $$`);
  await db.query(`create trigger bulk_e2e_block_running before update on exports for each row execute function bulk_e2e_block_running()`);
});

test.afterAll(async () => {
  await db.query('drop trigger if exists bulk_e2e_block_running on exports');
  await db.query('drop function if exists bulk_e2e_block_running()');
  await db.query('delete from audit_log where tenant_id = $1', [tenantId]);
  await db.query('delete from bulk_exports where tenant_id = $1', [tenantId]);
  await db.query('delete from exports where tenant_id = $1', [tenantId]);
  await db.end();
});

function bulkCard(page: Page, title: RegExp) {
  return page
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: title }) })
    .first();
}

test('an admin selects two users, watches the bulk export finish, and downloads one ZIP with a folder per user', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await signIn(page, adminEmail);
  const exportSelected = page.getByRole('button', { name: /^Export selected/ });
  await expect(exportSelected).toHaveText('Export selected (0)');
  await expect(exportSelected).toBeDisabled();
  await page.getByRole('checkbox', { name: `Select ${emails[0]}`, exact: true }).check();
  await page.getByRole('checkbox', { name: `Select ${emails[1]}`, exact: true }).check();
  await expect(exportSelected).toHaveText('Export selected (2)');
  await expectNoAxeViolations(page);
  await exportSelected.click();
  // The single export's options, defaulting to csv of every event: one more click starts it.
  const options = page.getByRole('dialog', { name: 'Export data for 2 users' });
  await expect(options.getByRole('radio', { name: 'CSV', exact: true })).toBeChecked();
  await expectNoAxeViolations(page);
  await options.getByRole('button', { name: 'Export 2 users', exact: true }).click();
  const started = page.getByRole('status').filter({ hasText: 'Bulk export of 2 users started' });
  await expect(started).toBeVisible();
  await expect(exportSelected).toHaveText('Export selected (0)');
  await started.getByRole('link', { name: 'Exports', exact: true }).click();
  await expect(page).toHaveURL(/\/exports$/);

  await expect(page.getByRole('heading', { name: 'Bulk exports', exact: true })).toBeVisible();
  const card = bulkCard(page, /Selected users \(2\)/);
  const bar = card.getByRole('progressbar', { name: /Bulk export progress/ });
  await expect(bar).toBeVisible();
  await expect(card.getByText('Completed', { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  await expect(card).toContainText('2 of 2 users done');
  await expect(card).toContainText('50 of 50 rows');
  await expectNoAxeViolations(page);

  const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: /^Download bulk export/ }).click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^bulk-${suffix}-production-bulk-[0-9a-f-]{36}-\\d{8}T\\d{6}Z\\.zip$`));
  const zipPath = testInfo.outputPath('bulk.zip');
  await download.saveAs(zipPath);
  const files = await readZip(await readFile(zipPath));
  expect([...files.keys()].sort()).toEqual(
    ['bulk-manifest.json', ...[emails[0]!, emails[1]!].flatMap((email) => ['events.csv', 'manifest.json', 'profile.csv'].map((f) => `${email}/${f}`))].sort(),
  );
  // ada has 20 events, ben 30: each folder holds that user's own export.
  expect(files.get(`${emails[0]}/events.csv`)!.toString('utf8').trim().split('\n')).toHaveLength(21);
  expect(files.get(`${emails[1]}/events.csv`)!.toString('utf8').trim().split('\n')).toHaveLength(31);
  const manifest = JSON.parse(files.get('bulk-manifest.json')!.toString('utf8'));
  expect(manifest.users.map((u: { email: string }) => u.email).sort()).toEqual([emails[0], emails[1]]);
  expect(manifest.failures).toEqual([]);

  const { rows } = await db.query(`select action from audit_log where tenant_id = $1 and action like 'bulk.%' order by created_at`, [tenantId]);
  expect(rows.map((r) => r.action)).toEqual(['bulk.requested', 'bulk.downloaded']);
});

test('exporting all users asks first with the count, and lists the user whose export failed while the others complete', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, adminEmail);
  await page.getByRole('button', { name: 'Export all users of this environment', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Export all users of this environment?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('all 4 users');
  await expectNoAxeViolations(page);
  // The safe answer has the focus; Escape keeps things as they were.
  await expect(dialog.getByRole('button', { name: 'Cancel', exact: true })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await page.getByRole('button', { name: 'Export all users of this environment', exact: true }).click();
  await dialog.getByRole('button', { name: 'Export 4 users', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Bulk export of 4 users started' })).toBeVisible();

  await page.goto('/exports');
  const card = bulkCard(page, /All users \(4\)/);
  await expect(card.getByText('Completed', { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(card).toContainText('3 of 4 users done, 1 failed');
  await expect(card.getByRole('heading', { name: 'Failed users (1)' })).toBeVisible();
  await expect(card.getByRole('listitem').filter({ hasText: `doomed@${domain}` })).toContainText(
    /The export failed because the user or the export no longer exists/,
  );
  await expect(card.getByRole('link', { name: /^Download bulk export/ })).toBeVisible();
  await expectNoAxeViolations(page);
});

test('cancelling a bulk export ends it Cancelled, with no download', async ({ page }) => {
  test.setTimeout(120_000);
  // The tenant is at its in-flight cap (rows with no workflow, younger than the reconciler's
  // grace), so the bulk's export waits for a slot until it is cancelled.
  const fillers: string[] = [];
  for (let i = 0; i < env.EXPORT_MAX_CONCURRENT; i++) {
    const { rows } = await db.query<{ id: string }>(`insert into users (tenant_id, environment_id, email, name) values ($1, $2, $3, 'Filler') returning id`, [
      tenantId,
      environmentId,
      `filler${i}@${domain}`,
    ]);
    const id = randomUUID();
    await db.query(
      `insert into exports (id, tenant_id, environment_id, user_id, requested_by, workflow_id, status) values ($1, $2, $3, $4, $5, $6, 'running')`,
      [id, tenantId, environmentId, rows[0]!.id, adminId, `user-export-${id}`],
    );
    fillers.push(rows[0]!.id);
  }
  try {
    await signIn(page, adminEmail);
    await page.getByRole('checkbox', { name: `Select ${emails[2]}`, exact: true }).check();
    await page.getByRole('button', { name: 'Export selected (1)', exact: true }).click();
    await page.getByRole('dialog', { name: 'Export data for 1 user' }).getByRole('button', { name: 'Export 1 user', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Bulk export of 1 user started' })).toBeVisible();
    await page.goto('/exports');
    const card = bulkCard(page, /Selected users \(1\)/);
    await expect(card.getByText('Running', { exact: true })).toBeVisible({ timeout: 30_000 });
    await card.getByRole('button', { name: /^Cancel bulk export/ }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Cancel this bulk export?' });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: 'Cancel bulk export', exact: true }).click();
    await expect(card.getByText('Cancelled', { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(card.getByRole('link', { name: /^Download/ })).toHaveCount(0);
    await expect(card.getByRole('button', { name: /^Cancel/ })).toHaveCount(0);
    const { rows } = await db.query(`select action from audit_log where tenant_id = $1 and action = 'bulk.cancelled'`, [tenantId]);
    expect(rows).toHaveLength(1);
  } finally {
    await db.query(`delete from exports where tenant_id = $1 and user_id = any($2::uuid[])`, [tenantId, fillers]);
  }
});

test('at 390 px the bulk controls and cards fit without sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, adminEmail);
  await expect(page.getByRole('button', { name: 'Export all users of this environment', exact: true })).toBeVisible();
  for (const path of ['/users', '/exports']) {
    await page.goto(path);
    if (path === '/exports') await expect(page.getByRole('heading', { name: 'Bulk exports', exact: true })).toBeVisible();
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    expect(widths.scroll, `${path} is ${widths.scroll} px wide on a ${widths.viewport} px screen`).toBeLessThanOrEqual(widths.viewport);
  }
});

test('a bulk export in JSON Lines with a date range: each user folder holds .jsonl events inside the range only', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  // Events just outside 2026-01-01 (UTC) on both sides, the upper one on the exclusive bound.
  for (const email of [emails[0]!, emails[1]!]) {
    await db.query(
      `insert into events (tenant_id, environment_id, user_id, type, occurred_at, properties)
       select $1, $2, $3, 'page.viewed', t, '{}'::jsonb from unnest(array[timestamptz '2025-12-31T23:59:59Z', timestamptz '2026-01-02T00:00:00Z']) t`,
      [tenantId, environmentId, userIds[email]],
    );
  }
  await signIn(page, adminEmail);
  await page.getByRole('checkbox', { name: `Select ${emails[0]}`, exact: true }).check();
  await page.getByRole('checkbox', { name: `Select ${emails[1]}`, exact: true }).check();
  await page.getByRole('button', { name: 'Export selected (2)', exact: true }).click();
  const options = page.getByRole('dialog', { name: 'Export data for 2 users' });
  await options.getByRole('radio', { name: 'JSON Lines', exact: true }).check();
  await options.getByLabel('From', { exact: true }).fill('2026-01-01');
  await options.getByLabel('To', { exact: true }).fill('2026-01-01');
  await options.getByRole('button', { name: 'Export 2 users', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Bulk export of 2 users started' })).toBeVisible();

  await page.goto('/exports');
  const card = page
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: /Selected users \(2\)/ }) })
    .filter({ hasText: 'JSON Lines · Events 2026-01-01 – 2026-01-01 (UTC)' });
  await expect(card).toHaveCount(1);
  await expect(card.getByText('Completed', { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(card).toContainText('50 of 50 rows');

  const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: /^Download bulk export/ }).click()]);
  const zipPath = testInfo.outputPath('bulk-jsonl.zip');
  await download.saveAs(zipPath);
  const files = await readZip(await readFile(zipPath));
  expect([...files.keys()].sort()).toEqual(
    [
      bulkManifestName,
      ...[emails[0]!, emails[1]!].flatMap((email) => ['events.jsonl', exportManifestName, 'profile.jsonl'].map((f) => `${email}/${f}`)),
    ].sort(),
  );
  const range = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' };
  expect(parseBulkManifest(files.get(bulkManifestName)!).options).toEqual({ format: 'jsonl', range });
  // ada has 20 events on 2026-01-01, ben 30; the two outside the range are not exported.
  for (const [email, count] of [
    [emails[0]!, 20],
    [emails[1]!, 30],
  ] as const) {
    const events = files
      .get(`${email}/events.jsonl`)!
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { occurred_at: string });
    expect(events, email).toHaveLength(count);
    for (const event of events) {
      const at = Date.parse(event.occurred_at);
      expect(at >= Date.parse(range.from) && at < Date.parse(range.to), `${email} ${event.occurred_at}`).toBe(true);
    }
    expect(parseExportManifest(files.get(`${email}/${exportManifestName}`)!)).toMatchObject({ format: 'jsonl', range });
  }
});
