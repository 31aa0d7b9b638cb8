import { expect, test } from '@playwright/test';
import { demoPassword } from '../lib/db/demo-data';
import { logins } from './fixtures';

/**
 * Sign-in as a new admin meets it (issue 9 §2 and §6): from a fresh browser every time,
 * back to the page they asked for, and never off-site.
 */
async function submit(page: import('@playwright/test').Page, email: string, password = demoPassword): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('50 sign-ins, each from a fresh browser, all land signed in', async ({ browser }) => {
  test.setTimeout(300_000);
  const outcomes: string[] = [];
  for (let i = 0; i < 50; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The race behind the silent failures: session fetches on the login page, each setting
    // a new form-token cookie while the form reads its token. None may happen before submit.
    const sessionFetches: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/auth/session') sessionFetches.push(request.url());
    });
    await page.goto('/login');
    await page.waitForLoadState('networkidle');
    expect(sessionFetches, 'session fetched while the login form is open').toEqual([]);
    await submit(page, logins.acmeViewer);
    // Either the users page with the header, or a message on the form: never a silent bounce.
    const landed = page.getByLabel('Environment');
    const message = page.locator('form').getByRole('alert');
    await expect(landed.or(message)).toBeVisible();
    outcomes.push((await landed.isVisible()) && /\/users$/.test(page.url()) ? 'signed in' : `refused: ${await message.textContent()}`);
    await context.close();
  }
  expect(outcomes.filter((o) => o !== 'signed in')).toEqual([]);
});

test('a deep link survives sign-in, filters included', async ({ page }) => {
  await page.goto('/exports?status=failed');
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fexports%3Fstatus%3Dfailed$/);
  await submit(page, logins.acmeAdmin);
  await expect(page).toHaveURL(/\/exports\?status=failed$/);
  await expect(page.getByLabel('Environment')).toBeVisible();
});

for (const hostile of ['/\\evil.example', '/\t/evil.example', '//evil.example', 'https://evil.example/users']) {
  test(`sign-in never leaves the site for callbackUrl ${JSON.stringify(hostile)}`, async ({ page }) => {
    await page.goto(`/login?${new URLSearchParams({ callbackUrl: hostile })}`);
    await submit(page, logins.acmeAdmin);
    await expect(page.getByLabel('Environment')).toBeVisible();
    expect(new URL(page.url()).origin).toBe(new URL(page.url(), test.info().project.use.baseURL).origin);
    await expect(page).toHaveURL(/\/users$/);
  });
}

test('a stale form token, as the lost cookie race left it, is retried and signs in', async ({ page }) => {
  let served = false;
  await page.route('**/api/auth/csrf', async (route) => {
    if (served) return route.continue();
    served = true;
    await route.fulfill({ json: { csrfToken: 'a-token-of-a-cookie-that-lost' } });
  });
  await page.goto('/login');
  await submit(page, logins.acmeAdmin);
  await expect(page.getByLabel('Environment')).toBeVisible();
  expect(served).toBe(true);
});

test('a sign-in that cannot complete says so on the form', async ({ page }) => {
  await page.route('**/api/auth/callback/credentials', (route) => route.abort('connectionreset'));
  await page.goto('/login');
  await submit(page, logins.acmeAdmin);
  await expect(page.locator('form').getByRole('alert')).toHaveText(/could not be reached/);
  await expect(page).toHaveURL(/\/login/);
});

test('next-auth’s answer to a refused form token (200, no session cookie) shows a message, not a bounce', async ({ page }) => {
  // What the credentials callback answered in the silent failures: success-shaped, no cookie.
  await page.route('**/api/auth/callback/credentials', (route) =>
    route.fulfill({ json: { url: new URL('/api/auth/signin?csrf=true', page.url()).toString() } }),
  );
  await page.goto('/login');
  await submit(page, logins.acmeAdmin);
  await expect(page.locator('form').getByRole('alert')).toHaveText(/did not complete/);
  await expect(page).toHaveURL(/\/login/);
});
