import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { findUserByEventCount, logins, readUserRow, signIn, startExport, userRow, userRows } from './fixtures';
import { readZip } from '../tests/support/zip';
import { parseExportManifest } from '../lib/exports/archive/manifest';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test.describe('exports', () => {
  test('an admin exports a user, watches it finish, and downloads a complete archive', async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    await signIn(page, logins.acmeAdmin);

    // Thousands of events, but not the 300,000-event bulk user: big enough to matter,
    // small enough to parse here.
    const user = await findUserByEventCount(page, 1_000, 10_000);
    const row = userRow(page, user.email);
    await startExport(page, user.email);
    await expect(row.getByRole('status')).toContainText(/Export queued|An export of this user is already running/);
    // Client-side navigation: the layout (and its toast watcher) stays mounted.
    await row.getByRole('link', { name: 'Exports', exact: true }).click();
    await expect(page).toHaveURL(/\/exports$/);

    // Newest first: the first row of this user is the export just requested.
    const exportRow = page.getByRole('row').filter({ hasText: user.email }).first();
    const completed = exportRow.getByText('Completed', { exact: true });
    await expect(exportRow.getByRole('progressbar').or(completed)).toBeVisible();
    await expect(completed).toBeVisible({ timeout: 120_000 });

    // The toast announces the end wherever the admin is, linking to the history.
    const toast = page.getByRole('status').filter({ hasText: `Export of ${user.email} completed` });
    await expect(toast).toBeVisible();
    await expect(toast.getByRole('link', { name: 'View exports', exact: true })).toHaveAttribute('href', '/exports');

    const [download] = await Promise.all([page.waitForEvent('download'), exportRow.getByRole('link', { name: 'Download', exact: true }).click()]);
    expect(download.suggestedFilename()).toMatch(/^acme-production-[0-9a-f-]{36}-\d{8}T\d{6}Z\.zip$/);
    const zipPath = testInfo.outputPath('export.zip');
    await download.saveAs(zipPath);
    const zipBytes = await readFile(zipPath);
    // The row shows the first 12 hex digits of the whole archive's SHA-256.
    await expect(exportRow).toContainText(`sha256 ${sha256(zipBytes).slice(0, 12)}`);

    const files = await readZip(zipBytes);
    expect([...files.keys()].sort()).toEqual(['events.csv', 'manifest.json', 'profile.csv']);
    const profileCsv = files.get('profile.csv')!;
    const eventsCsv = files.get('events.csv')!;
    const manifest = parseExportManifest(files.get('manifest.json')!);

    const profile = parse(profileCsv) as string[][];
    expect(profile[0]).toEqual(['user_id', 'email', 'name', 'created_at', 'last_login_at']);
    expect(profile).toHaveLength(2);
    expect(profile[1]![1]).toBe(user.email);

    expect(eventsCsv.toString('utf8').split('\n', 1)[0]).toBe('event_id,type,occurred_at,properties');
    const events = parse(eventsCsv) as string[][];
    expect(events[0]).toEqual(['event_id', 'type', 'occurred_at', 'properties']);
    expect(events.length - 1).toBe(user.eventCount);

    expect(manifest.formatVersion).toBe(1);
    expect(manifest.userId).toBe(profile[1]![0]);
    const entry = (name: string) => manifest.files.find((f) => f.name === name);
    expect(entry('events.csv')).toMatchObject({ rows: user.eventCount, sha256: sha256(eventsCsv) });
    expect(entry('profile.csv')).toMatchObject({ rows: 1, sha256: sha256(profileCsv) });
  });

  test('an admin of Globex never sees Acme’s exports', async ({ page }) => {
    await signIn(page, logins.globexAdmin);
    // Start one export so the Globex history is not empty whatever ran before.
    const first = userRows(page).first();
    await startExport(page, (await readUserRow(first)).email);
    await expect(first.getByRole('status')).toContainText(/Export queued|An export of this user is already running/);
    await first.getByRole('link', { name: 'Exports', exact: true }).click();
    await expect(page).toHaveURL(/\/exports$/);

    await expect(page.getByRole('row').filter({ hasText: '@globex.example' }).first()).toBeVisible();
    await expect(page.getByText(/@acme\.(example|test)/)).toHaveCount(0);
    await expect(page.getByText(/acme/i)).toHaveCount(0);

    // The API behind the page answers the same for this session.
    const response = await page.request.get('/api/exports?limit=100');
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { exports: { userEmail: string; requestedBy: { email: string } }[] };
    expect(body.exports.length).toBeGreaterThan(0);
    for (const item of body.exports) {
      expect(item.userEmail).toMatch(/@globex\.example$/);
      expect(item.requestedBy.email).toMatch(/@globex\.test$/);
    }
  });
});
