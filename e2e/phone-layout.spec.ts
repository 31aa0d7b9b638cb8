import { expect, type Page, test } from '@playwright/test';
import pg from 'pg';
import { sharedEnv } from '../lib/env';
import { createS3Client } from '../lib/storage/s3';
import { type InsertedExport, deleteExports, insertExport, pickUser, seededTenant } from './api/data';
import { expectNoAxeViolations, logins, signIn } from './fixtures';

/**
 * A 390 px phone (issue 11 §6): no page scrolls sideways, and Export, Download, Cancel and
 * Sign out can be reached and clicked. One running and one completed export are inserted
 * for a globex user, so the history has a Cancel and a Download to reach.
 */
const env = sharedEnv();
const s3 = createS3Client(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
const inserted: InsertedExport[] = [];
let userEmail = '';
let userId = '';

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test.beforeAll(async () => {
  await db.connect();
  const tenant = await seededTenant(db, 'globex', logins.globexAdmin);
  const user = await pickUser(db, tenant.production, { newestEmailFirst: true });
  userEmail = user.email;
  userId = user.id;
  inserted.push(await insertExport(db, s3, env.S3_BUCKET, { user, requestedBy: tenant.adminId, status: 'completed' }));
  inserted.push(await insertExport(db, s3, env.S3_BUCKET, { user, requestedBy: tenant.adminId, status: 'running' }));
});

test.afterAll(async () => {
  await deleteExports(db, s3, env.S3_BUCKET, inserted);
  await db.end();
});

/** The page is no wider than the screen: nothing to scroll to sideways. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.scroll, `page is ${widths.scroll} px wide on a ${widths.viewport} px screen`).toBeLessThanOrEqual(widths.viewport);
}

test('at 390 px no page scrolls sideways, and Export, Download, Cancel and Sign out are reachable', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, logins.globexAdmin);
  await expectNoSidewaysScroll(page);
  await expectNoAxeViolations(page);

  // Export: the first user's button is on screen and starts an export (or finds one running).
  const exportButton = page.getByRole('button', { name: /^Export data for / }).first();
  await exportButton.scrollIntoViewIfNeeded();
  await expect(exportButton).toBeInViewport();
  await exportButton.click();
  // The export dialog (format and range) opens on the screen; Start export is reachable.
  const exportDialog = page.getByRole('dialog', { name: /^Export data for / });
  await expect(exportDialog).toBeVisible();
  const start = exportDialog.getByRole('button', { name: 'Start export', exact: true });
  await expect(start).toBeInViewport();
  await expectNoSidewaysScroll(page);
  await start.click();
  await expect(page.getByRole('status').filter({ hasText: /Export queued|already running/ })).toBeVisible();
  await expectNoSidewaysScroll(page);

  // The account menu opens inside the screen.
  const accountMenu = page.getByText(`${logins.globexAdmin} ▾`);
  await accountMenu.click();
  const mailToggle = page.getByRole('checkbox', { name: /Email me when my exports finish/ });
  await expect(mailToggle).toBeInViewport({ ratio: 1 });
  await expectNoSidewaysScroll(page);
  await accountMenu.click();

  await page.goto(`/exports?userId=${userId}`);
  await expect(page.getByRole('link', { name: userEmail }).first()).toBeVisible();
  await expectNoSidewaysScroll(page);
  await expectNoAxeViolations(page);
  const download = page.getByRole('link', { name: 'Download', exact: true }).first();
  await download.scrollIntoViewIfNeeded();
  await expect(download).toBeInViewport();
  await expect(download).toHaveAttribute('href', `/api/exports/${inserted[0]!.id}/download`);

  // Cancel asks first; the dialog fits the screen, and Keep exporting leaves the export be.
  const cancel = page.getByRole('button', { name: `Cancel export of ${userEmail}` });
  await cancel.scrollIntoViewIfNeeded();
  await expect(cancel).toBeInViewport();
  await cancel.click();
  const dialog = page.getByRole('alertdialog', { name: 'Cancel this export?' });
  await expect(dialog.getByRole('button', { name: 'Cancel export' })).toBeInViewport({ ratio: 1 });
  await expect(dialog.getByRole('button', { name: 'Keep exporting' })).toBeInViewport({ ratio: 1 });
  await dialog.getByRole('button', { name: 'Keep exporting' }).click();
  await expect(dialog).toBeHidden();

  // The export a mail links to, above the history.
  await page.goto(`/exports?export=${inserted[0]!.id}`);
  const linked = page.getByTestId('linked-export');
  await expect(linked).toBeVisible();
  // The panel tells what the history row tells: the duration and the expiry too.
  await expect(linked).toContainText(/Took 1 min/);
  await expect(linked).toContainText(/Expires in [67] days/);
  await expectNoSidewaysScroll(page);

  await page.goto('/audit');
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await expectNoAxeViolations(page);

  // Sign out is on screen from the top of any page, and signs out.
  await page.evaluate(() => window.scrollTo(0, 0));
  const signOut = page.getByRole('button', { name: 'Sign out', exact: true });
  await expect(signOut).toBeInViewport({ ratio: 1 });
  await signOut.click();
  await expect(page).toHaveURL(/\/login/);
  await expectNoSidewaysScroll(page);
});
