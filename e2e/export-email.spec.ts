import { expect, test } from '@playwright/test';
import { findMessages, type MailpitMessage } from '../tests/support/mailpit';
import { findUserByEventCount, logins, signIn, startExport, userRow } from './fixtures';

/**
 * The mail an admin gets when their export ends, read through Mailpit's HTTP API, and the
 * link in it followed by a browser that has to sign in first.
 */
test.describe('mail on an export ending', () => {
  test('the requesting admin gets a mail linking to the export; following it after sign-in shows that export', async ({ page, browser, baseURL }) => {
    test.setTimeout(120_000);
    await signIn(page, logins.acmeAdmin);
    const user = await findUserByEventCount(page, 100, 900);
    const before = new Set((await findMessages(logins.acmeAdmin, user.email)).map((m) => m.ID));

    await startExport(page, user.email);
    await expect(userRow(page, user.email).getByRole('status')).toContainText(/Export queued|An export of this user is already running/);

    let mail: MailpitMessage | undefined;
    await expect
      .poll(async () => (mail = (await findMessages(logins.acmeAdmin, user.email)).find((m) => !before.has(m.ID))), { timeout: 90_000 })
      .toBeDefined();
    expect(mail!.Subject).toMatch(/^Export ready: /);
    expect(mail!.Subject).toContain(user.email);
    expect(mail!.To.map((t) => t.Address)).toEqual([logins.acmeAdmin]);
    const link = mail!.Text.match(/https?:\/\/\S+\/exports\?export=([0-9a-f-]{36})/);
    expect(link, mail!.Text).not.toBeNull();
    expect(link![0].startsWith(`${baseURL}/exports?export=`)).toBe(true);
    expect(mail!.Text + mail!.HTML).not.toMatch(/X-Amz-|\/download|\.zip/);

    // A browser without a session: the link survives the sign-in.
    const context = await browser.newContext();
    const fresh = await context.newPage();
    await fresh.goto(link![0]);
    await expect(fresh).toHaveURL(/\/login\?callbackUrl=/);
    await fresh.getByLabel('Email').fill(logins.acmeAdmin);
    await fresh.getByLabel('Password').fill('export-demo');
    await fresh.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(fresh).toHaveURL(new RegExp(`/exports\\?export=${link![1]}$`));
    const linked = fresh.getByRole('region', { name: `Export of ${user.email}` });
    await expect(linked).toBeVisible();
    await expect(linked.getByText('Completed', { exact: true })).toBeVisible();
    await expect(linked.getByRole('link', { name: 'Download', exact: true })).toBeVisible();
    await context.close();
  });

  test('an admin turns export mail off from the header menu, and it stays off', async ({ page }) => {
    await signIn(page, logins.globexAdmin);
    await page.getByText(`${logins.globexAdmin} ▾`).click();
    const toggle = page.getByRole('checkbox', { name: /Email me when my exports finish/ });
    await expect(toggle).toBeChecked();
    await toggle.uncheck();
    await expect(toggle).not.toBeChecked();
    await expect(toggle).toBeEnabled();
    await page.reload();
    await page.getByText(`${logins.globexAdmin} ▾`).click();
    await expect(toggle).not.toBeChecked();
    // Back on, for the other specs.
    await toggle.check();
    await expect(toggle).toBeEnabled();
    await page.reload();
    await page.getByText(`${logins.globexAdmin} ▾`).click();
    await expect(toggle).toBeChecked();
  });

  test('a click on the mail checkbox shows at once, even when the page’s timers run late', async ({ page }) => {
    // CI saw "Clicking the checkbox did not change its state": the mutation's state arrives
    // on a timer, and until then React put the old value back. Paused timers make that certain.
    await page.clock.install();
    await signIn(page, logins.globexAdmin);
    await page.getByText(`${logins.globexAdmin} ▾`).click();
    const toggle = page.getByRole('checkbox', { name: /Email me when my exports finish/ });
    await expect(toggle).toBeChecked();
    await expect(toggle).toBeEnabled();
    await page.clock.pauseAt(Date.now() + 60_000);
    await toggle.uncheck();
    await page.clock.resume();
    await expect(toggle).toBeEnabled();
    await expect(toggle).not.toBeChecked();
    await toggle.check();
    await expect(toggle).toBeEnabled();
    await page.reload();
    await page.getByText(`${logins.globexAdmin} ▾`).click();
    await expect(toggle).toBeChecked();
  });
});
