import { expect, test } from '@playwright/test';
import { logins, signIn, userRow, userRows } from './fixtures';

// Acme production per lib/db/demo-data.ts: 36 generated users plus the bulk user, by email.
const bulkEmail = 'bulk.user@acme.example';
const firstEmail = 'alice.nakamura0@acme.example';
const lastEmail = 'lucia.petrov35@acme.example';
const viewerHint = "Viewers can't start exports; ask an admin.";

test.describe('users page', () => {
  test('an admin sees the environment’s users with their event counts', async ({ page }) => {
    await signIn(page, logins.acmeAdmin);
    await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
    await expect(userRows(page)).toHaveCount(20);
    const bulk = userRow(page, bulkEmail);
    await expect(bulk.getByRole('cell').nth(1)).toHaveText('Bulk User');
    await expect(bulk.getByRole('cell').nth(2)).toHaveText('300,000');
    await expect(userRow(page, firstEmail).getByRole('cell').nth(2)).toHaveText('0');
    await expect(page.getByRole('button', { name: `Export data for ${bulkEmail}`, exact: true })).toBeEnabled();
  });

  test('search narrows the list', async ({ page }) => {
    await signIn(page, logins.acmeAdmin);
    await expect(userRows(page)).toHaveCount(20);
    const search = page.getByLabel('Search users');

    await search.fill('bulk');
    await expect(userRows(page)).toHaveCount(1);
    await expect(userRow(page, bulkEmail)).toBeVisible();

    // Matches email or name: the twelve generated "… Petrov" users.
    await search.fill('petrov');
    await expect(userRows(page)).toHaveCount(12);
    await expect(userRows(page).filter({ hasNotText: 'petrov' })).toHaveCount(0);

    await search.fill('nobody-has-this-address');
    await expect(page.getByText('No users match “nobody-has-this-address”.')).toBeVisible();
    await expect(userRows(page)).toHaveCount(0);

    await search.fill('');
    await expect(userRows(page)).toHaveCount(20);
  });

  test('Next and Previous page through the users', async ({ page }) => {
    await signIn(page, logins.acmeAdmin);
    const previous = page.getByRole('button', { name: 'Previous', exact: true });
    const next = page.getByRole('button', { name: 'Next', exact: true });
    await expect(userRows(page).first()).toContainText(firstEmail);
    await expect(previous).toBeDisabled();

    await next.click();
    await expect(userRow(page, lastEmail)).toBeVisible();
    await expect(userRow(page, firstEmail)).toHaveCount(0);
    await expect(next).toBeDisabled();

    await previous.click();
    await expect(userRows(page).first()).toContainText(firstEmail);
    await expect(userRow(page, lastEmail)).toHaveCount(0);
    await expect(previous).toBeDisabled();
    await expect(next).toBeEnabled();
  });

  test('a viewer sees every Export button disabled, with the reason', async ({ page }) => {
    await signIn(page, logins.acmeViewer);
    const buttons = page.getByRole('button', { name: /^Export data for / });
    await expect(buttons).toHaveCount(20);
    for (const button of await buttons.all()) await expect(button).toBeDisabled();
    const bulkButton = page.getByRole('button', { name: `Export data for ${bulkEmail}`, exact: true });
    await expect(bulkButton).toHaveAttribute('title', viewerHint);
    await expect(bulkButton).toHaveAccessibleDescription(viewerHint);
  });

  test('switching the Environment select lists that environment’s users', async ({ page }) => {
    await signIn(page, logins.acmeAdmin);
    await expect(userRow(page, bulkEmail)).toBeVisible();

    await page.getByLabel('Environment').selectOption({ label: 'Sandbox' });
    await expect(userRows(page).first()).toContainText('@sandbox.acme.example');
    await expect(userRows(page)).toHaveCount(20);
    await expect(userRows(page).filter({ hasNotText: '@sandbox.acme.example' })).toHaveCount(0);
    await expect(userRow(page, bulkEmail)).toHaveCount(0);

    await page.getByLabel('Environment').selectOption({ label: 'Production' });
    await expect(userRow(page, bulkEmail)).toBeVisible();
    await expect(userRows(page).filter({ hasText: '@sandbox.acme.example' })).toHaveCount(0);
  });

  test('an environment chosen while the session is still loading is not lost', async ({ page }) => {
    // Hold the page's first session fetch: next-auth's update() does nothing until it has
    // answered, so the select must not take a choice before then.
    let held = false;
    await page.route('**/api/auth/session', async (route) => {
      if (route.request().method() === 'GET' && !held && /\/users$/.test(route.request().headers().referer ?? '')) {
        held = true;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      await route.continue();
    });
    await signIn(page, logins.acmeAdmin);
    await page.getByLabel('Environment').selectOption({ label: 'Sandbox' });
    await expect(userRows(page).first()).toContainText('@sandbox.acme.example');
    await expect(page.getByLabel('Environment')).toHaveValue((await page.getByRole('option', { name: 'Sandbox' }).getAttribute('value')) ?? 'missing');
  });
});
