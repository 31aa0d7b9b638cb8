import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, logins, signIn } from './fixtures';

/**
 * What a person meets around the main flow (issue 11 §6, in part): the console's own 404
 * page, a favicon, a Download link that cannot work answering with a page rather than raw
 * JSON, a cue that the environment is production, and a visible note for viewers.
 */
test('an unknown address gets the console’s own 404 page, with a way back', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expect(page.getByText('Export Console', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export history' })).toHaveAttribute('href', '/exports');
  await expect(page).toHaveTitle('Page not found · Export Console');
  await expectNoAxeViolations(page);
});

test('the app has a favicon', async ({ page }) => {
  await page.goto('/login');
  const href = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect(href).toMatch(/^\/icon\.svg/);
  const icon = await page.request.get(href!);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toMatch(/^image\/svg\+xml/);
});

test('a Download link that cannot work shows a page in the browser; API clients still get JSON', async ({ page }) => {
  await signIn(page, logins.acmeAdmin);
  for (const [id, status] of [
    ['not-an-export-id', 400],
    ['00000000-0000-4000-8000-000000000000', 404],
  ] as const) {
    const response = await page.goto(`/api/exports/${id}/download`);
    expect(response?.status(), id).toBe(status);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await expect(page.getByRole('heading', { level: 1, name: 'Export not found' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Back to the export history' })).toBeVisible();
    await expectNoAxeViolations(page);
  }
  const api = await page.request.get('/api/exports/00000000-0000-4000-8000-000000000000/download', { maxRedirects: 0 });
  expect(api.status()).toBe(404);
  expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
});

test('production is marked on every page; other environments are not', async ({ page }) => {
  await signIn(page, logins.acmeAdmin);
  const header = page.getByRole('banner');
  await expect(header).toHaveAttribute('data-environment', 'production');
  await expect(header.getByText('Live data', { exact: true })).toBeVisible();
  // An admin's header has no view-only note.
  await expect(header.getByText('View only', { exact: true })).toHaveCount(0);
  await page.goto('/exports');
  await expect(header.getByText('Live data', { exact: true })).toBeVisible();
  await page.getByLabel('Environment').selectOption({ label: 'Sandbox' });
  await expect(header).toHaveAttribute('data-environment', 'other');
  await expect(header.getByText('Live data', { exact: true })).toHaveCount(0);
});

test('a viewer sees that the console is view-only for them', async ({ page }) => {
  await signIn(page, logins.acmeViewer);
  await expect(page.getByRole('banner').getByText('View only', { exact: true })).toBeVisible();
  await expect(page.getByText("Viewers can't start exports; ask an admin.")).toBeVisible();
  await expectNoAxeViolations(page);
});
