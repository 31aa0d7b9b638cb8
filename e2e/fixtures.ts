import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';
import { demoPassword } from '../lib/db/demo-data';

/** The demo logins of SPEC §8 (lib/db/demo-data.ts seeds them). */
export const logins = {
  acmeAdmin: 'admin@acme.test',
  acmeViewer: 'viewer@acme.test',
  globexAdmin: 'admin@globex.test',
} as const;

/** Signs in through the login form and waits for the users page. */
export async function signIn(page: Page, email: string, password: string = demoPassword): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByLabel('Environment')).toBeVisible();
}

/** The data rows of the users table: the ones holding an Export button. */
export function userRows(page: Page): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('button', { name: /^Export data for / }) });
}

export function userRow(page: Page, email: string): Locator {
  return userRows(page).filter({ has: page.getByRole('button', { name: `Export data for ${email}`, exact: true }) });
}

/** What the export dialog on /users offers; none chosen is today's export (CSV, every event). */
export interface ExportDialogChoice {
  format?: 'CSV' | 'CSV for Excel' | 'JSON Lines';
  /** YYYY-MM-DD, a UTC day, included. */
  from?: string;
  /** YYYY-MM-DD, a UTC day, included. */
  to?: string;
}

/** Clicks a user's Export button and starts the export from its dialog, then waits for the request's answer in the row. */
export async function startExport(page: Page, email: string, choice: ExportDialogChoice = {}): Promise<void> {
  await page.getByRole('button', { name: `Export data for ${email}`, exact: true }).click();
  const dialog = exportDialog(page, email);
  await expect(dialog).toBeVisible();
  if (choice.format) await dialog.getByRole('radio', { name: choice.format, exact: true }).check();
  if (choice.from) await dialog.getByLabel('From', { exact: true }).fill(choice.from);
  if (choice.to) await dialog.getByLabel('To', { exact: true }).fill(choice.to);
  await dialog.getByRole('button', { name: 'Start export', exact: true }).click();
  await expect(dialog).toHaveCount(0);
}

export function exportDialog(page: Page, email: string): Locator {
  return page.getByRole('dialog', { name: `Export data for ${email}` });
}

/** "300,000" → 300000: the users table formats counts with thousands separators. */
export function parseCount(text: string): number {
  const digits = text.replace(/[,\s]/g, '');
  if (!/^\d+$/.test(digits)) throw new Error(`not an event count: "${text}"`);
  return Number(digits);
}

/** Email and event count as the users table shows them (columns: email, name, events, …). */
export async function readUserRow(row: Locator): Promise<{ email: string; eventCount: number }> {
  const cells = row.getByRole('cell');
  return { email: (await cells.nth(0).innerText()).trim(), eventCount: parseCount(await cells.nth(2).innerText()) };
}

/** Pages through /users until a user whose event count is within [min, max]. */
export async function findUserByEventCount(page: Page, min: number, max: number): Promise<{ email: string; eventCount: number }> {
  const rows = userRows(page);
  for (;;) {
    await expect(rows.first()).toBeVisible();
    const shown = await Promise.all((await rows.all()).map(readUserRow));
    const match = shown.find((u) => u.eventCount >= min && u.eventCount <= max);
    if (match) return match;
    const next = page.getByRole('button', { name: 'Next', exact: true });
    if (await next.isDisabled()) throw new Error(`no user with ${min}..${max} events in this environment`);
    await next.click();
    await expect(rows.first()).not.toContainText(shown[0]!.email);
  }
}

/** axe on the page as it is now: every violation listed by rule and element, none expected. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}
