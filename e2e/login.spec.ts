import { expect, test } from '@playwright/test';

test.describe('login page (production build)', () => {
  test('renders the sign-in form', async ({ page }) => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Export Console' })).toBeVisible();
    await expect(page.getByLabel('Email')).toBeVisible();
    await expect(page.getByLabel('Password')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  test('a wrong password is refused without saying which part was wrong', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill('admin@acme.test');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('form').getByRole('alert')).toHaveText('Wrong email or password.');
    await expect(page).toHaveURL(/\/login/);
  });

  test('pages redirect to the login page without a session', async ({ page }) => {
    await page.goto('/users');
    await expect(page).toHaveURL(/\/login/);
  });

  test('the demo admin signs in, sees their tenant, and signs out', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill('admin@acme.test');
    await page.getByLabel('Password').fill('export-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/users/);
    await expect(page.getByTestId('tenant-name')).toHaveText('Acme Corp');
    await expect(page.getByLabel('Environment')).toHaveValue(/[0-9a-f-]{36}/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
  });
});

test.describe('sign-in throttling', () => {
  test('repeated failures for one email are refused with a wait, in the form and the API', async ({ page }) => {
    // An address no other test uses, so the count starts at zero.
    const email = `throttle-${Date.now()}@acme.test`;
    await page.goto('/login');
    for (let attempt = 1; attempt <= 5; attempt++) {
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(`wrong-${attempt}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.locator('form').getByRole('alert')).toHaveText('Wrong email or password.');
      await page.getByLabel('Password').fill('');
    }
    await page.getByLabel('Password').fill('wrong-6');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('form').getByRole('alert')).toHaveText(/^Too many failed sign-in attempts\. Try again in (1[0-5] minutes|\d+ seconds)\.$/);

    const csrf = (await (await page.request.get('/api/auth/csrf')).json()) as { csrfToken: string };
    const response = await page.request.post('/api/auth/callback/credentials', {
      form: { email, password: 'export-demo', csrfToken: csrf.csrfToken, json: 'true' },
    });
    expect(response.status()).toBe(429);
    expect(Number(response.headers()['retry-after'])).toBeGreaterThan(800);
    expect((await response.json()).error.code).toBe('rate_limited');
  });
});
