import { expect, type Page, test } from '@playwright/test';
import pg from 'pg';
import { bulkUser } from '../lib/db/demo-data';
import { sharedEnv } from '../lib/env';
import { createS3Client } from '../lib/storage/s3';
import { type InsertedExport, ageRecentExports, deleteExports, insertExport, pickUser, seededTenant } from './api/data';
import { expectNoAxeViolations, logins, signIn, startExport, userRow } from './fixtures';

/**
 * State where the admin is looking (issue 11 §4), with the seeded 300,000-event bulk user,
 * whose export runs for seconds: its /users row shows the export live and then offers
 * Download, the toast offers Download, Cancel asks first and reads "Cancelling…" until the
 * workflow ends it, and the history shows durations, an estimate and who cancelled. The
 * cancel runs on a row whose workflow nobody polls: the bulk export ends in about 2 s.
 */
const env = sharedEnv();
const s3 = createS3Client(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
const placeholders: InsertedExport[] = [];
const email = bulkUser.email;
let userId = '';

/** The bulk user with nothing in flight and no completed export inside the dedupe window. */
async function freshBulkUser(): Promise<void> {
  await expect
    .poll(async () => (await db.query(`select 1 from exports where user_id = $1 and status in ('queued', 'running')`, [userId])).rowCount, { timeout: 120_000 })
    .toBe(0);
  await ageRecentExports(db, userId);
}

async function openBulkUserRow(page: Page) {
  await signIn(page, logins.acmeAdmin);
  await page.getByLabel('Search users').fill('bulk');
  const row = userRow(page, email);
  await expect(row).toBeVisible();
  return row;
}

test.beforeAll(async () => {
  await db.connect();
  const { rows } = await db.query<{ id: string }>('select id from users where email = $1', [email]);
  userId = rows[0]!.id;
});

test.afterAll(async () => {
  await deleteExports(db, s3, env.S3_BUCKET, placeholders);
  await db.end();
});

test('/users shows a running export live with Export disabled, then Download; the toast has Download too', async ({ page }) => {
  test.setTimeout(180_000);
  await freshBulkUser();
  const row = await openBulkUserRow(page);
  const exportButton = row.getByRole('button', { name: `Export data for ${email}`, exact: true });
  await expect(exportButton).toBeEnabled();
  await startExport(page, email);

  await expect(row.getByRole('progressbar', { name: `Export progress for ${email}` })).toBeVisible();
  await expect(exportButton).toBeDisabled();
  // Live: a percentage of the user's rows, moving while the page polls.
  await expect(row).toContainText(/Running\s*\d+% · [\d,]+ \/ 300,000 rows/, { timeout: 60_000 });
  await expectNoAxeViolations(page);

  // The toast announces the end and downloads the file itself.
  const toast = page.getByRole('status').filter({ hasText: `Export of ${email} completed` });
  await expect(toast).toBeVisible({ timeout: 120_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), toast.getByRole('link', { name: `Download export of ${email}` }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.zip$/);

  // The row offers the file too, and exporting again is possible once nothing runs.
  const { rows } = await db.query<{ id: string }>(`select id from exports where user_id = $1 and status = 'completed' order by created_at desc limit 1`, [
    userId,
  ]);
  await expect(row.getByRole('link', { name: `Download export of ${email}` })).toHaveAttribute('href', `/api/exports/${rows[0]!.id}/download`);
  await expect(row.getByRole('progressbar')).toHaveCount(0);
  await expect(exportButton).toBeEnabled();
});

test('Cancel asks first, reads "Cancelling…" until the workflow ends the export, then says who cancelled it and how many rows were done', async ({ page }) => {
  // A running row whose workflow waits on a queue no worker polls: Temporal accepts the
  // cancel, and nothing ever confirms it. 1,500 of 6,000 rows in 30 s: 50 rows/s, 90 s left.
  const tenant = await seededTenant(db, 'acme', logins.acmeAdmin);
  const user = await pickUser(db, tenant.production, { zeroEvents: true, newestEmailFirst: true });
  const inserted = await insertExport(db, s3, env.S3_BUCKET, { user, requestedBy: tenant.adminId, status: 'running' });
  placeholders.push(inserted);
  await db.query(`update exports set rows_exported = 1500, rows_total = 6000, started_at = now() - interval '30 seconds' where id = $1`, [inserted.id]);

  await signIn(page, logins.acmeAdmin);
  await page.goto(`/exports?userId=${user.id}`);
  const row = page.getByRole('row').filter({ hasText: user.email }).first();
  await expect(row).toContainText(/Running for (30|3\d) s · about 1 min \d\d s left at (50|4\d) rows\/s/);

  const cancel = row.getByRole('button', { name: `Cancel export of ${user.email}` });
  await cancel.click();
  const dialog = page.getByRole('alertdialog', { name: 'Cancel this export?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`The export of ${user.email} stops`);
  await expect(dialog.getByRole('button', { name: 'Keep exporting' })).toBeFocused();
  await expectNoAxeViolations(page);
  // Keeping it closes the question and cancels nothing.
  await dialog.getByRole('button', { name: 'Keep exporting' }).click();
  await expect(dialog).toBeHidden();
  await expect(cancel).toBeVisible();
  expect((await db.query(`select 1 from audit_log where action = 'export.cancelled' and export_id = $1`, [inserted.id])).rowCount).toBe(0);

  await cancel.click();
  await dialog.getByRole('button', { name: 'Cancel export' }).click();
  await expect(row.getByText('Cancelling…')).toBeVisible();
  await expect(cancel).toBeHidden();
  // Not a moment's label: it holds across polls and a reload while the row is running.
  await page.waitForTimeout(2_500);
  await page.reload();
  await expect(row.getByText('Running', { exact: true })).toBeVisible();
  await expect(row.getByText('Cancelling…')).toBeVisible();
  await expect(cancel).toBeHidden();

  // The workflow confirms (here the test plays it: finishExport's write, 42 s after the
  // start): the row says who cancelled it, how many rows were done, and how long it ran.
  // A real bulk export runs about 2 s, too short to cancel reliably from a browser.
  await db.query(`update exports set status = 'cancelled', completed_at = started_at + interval '42 seconds' where id = $1`, [inserted.id]);
  await expect(row.getByText('Cancelled', { exact: true })).toBeVisible();
  await expect(row.getByText('Cancelling…')).toBeHidden();
  await expect(row).toContainText(`Cancelled by ${logins.acmeAdmin} after 1,500 of 6,000 rows`);
  await expect(row).toContainText('Took 42 s');
});

test("the user's email on /exports is a visible link to that user's history", async ({ page }) => {
  await signIn(page, logins.acmeAdmin);
  await page.goto('/exports');
  const link = page.getByRole('row').filter({ hasText: email }).first().getByRole('link', { name: email, exact: true });
  await expect(link).toBeVisible();
  // Visibly a link before any hover: underlined and in the link colour, not the body text's.
  await expect(link).toHaveCSS('text-decoration-line', 'underline');
  const body = await page.locator('body').evaluate((el) => getComputedStyle(el).color);
  expect(await link.evaluate((el) => getComputedStyle(el).color)).not.toBe(body);
  await expectNoAxeViolations(page);

  await link.click();
  await expect(page).toHaveURL(new RegExp(`/exports\\?userId=${userId}$`));
  await expect(page.getByRole('row').filter({ hasNotText: email })).toHaveCount(1); // the header only
});
