import { expect, test } from '@playwright/test';
import { demoPassword } from '../lib/db/demo-data';
import { logins } from './fixtures';

/**
 * Sign-in as a new admin meets it (issue 9 §2 and §6): from a fresh browser every time,
 * back to the page they asked for, and never off-site.
 */
async function submit(page: import('@playwright/test').Page, email: string, password = demoPassword): Promise<void> {
  // Until React has attached the form's handler, a click would submit it natively (a GET of
  // /login with the fields in the URL). No markup changes at hydration, so its props are the sign.
  await page.waitForFunction(() => {
    const form = document.querySelector('form');
    return form !== null && Object.keys(form).some((key) => key.startsWith('__reactProps$'));
  });
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
    // a new form-token cookie while the form reads its token. None may happen before submit,
    // i.e. before the submit's own first request (its form token): judged by request order,
    // so no idle wait is needed to give such a fetch time to show.
    const sessionFetchesBeforeSubmit: string[] = [];
    let submitted = false;
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname === '/api/auth/csrf') submitted = true;
      if (pathname === '/api/auth/session' && !submitted) sessionFetchesBeforeSubmit.push(request.url());
    });
    await page.goto('/login');
    await submit(page, logins.acmeViewer);
    // Either the users page with the header, or a message on the form: never a silent bounce.
    const landed = page.getByLabel('Environment');
    const message = page.locator('form').getByRole('alert');
    await expect(landed.or(message)).toBeVisible();
    expect(sessionFetchesBeforeSubmit, 'session fetched while the login form is open').toEqual([]);
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
