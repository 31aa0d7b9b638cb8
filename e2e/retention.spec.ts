import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { sharedEnv } from '../lib/env';
import { createS3Client } from '../lib/storage/s3';
import { temporalConnectionOptions } from '../lib/temporal/connection';
import { retentionScheduleId } from '../worker/schedules';
import { logins, signIn, startExport, userRow } from './fixtures';

/**
 * Retention and "Export again" as an admin sees them (issue 11 §2, §3), on the production
 * build and the real worker: a completed export reads "Expires in 6 days"; once past its
 * expiresAt the worker's own retention Schedule (triggered, not waited for an hour) deletes
 * it, the row reads "Expired on …", the download answers 410 Gone, and "Export again"
 * starts a new export that the original row links to. An environment of its own keeps the
 * rows apart from other specs.
 */
const env = sharedEnv();
const s3 = createS3Client(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
const email = 'kept-briefly@retention.acme.example';
let environmentId = '';
let userId = '';

test.beforeAll(async () => {
  await db.connect();
  const { rows } = await db.query<{ environment_id: string; user_id: string }>(
    `with t as (select id from tenants where slug = 'acme'),
     e as (insert into environments (tenant_id, slug, name) select id, 'retention-e2e', 'Retention e2e' from t returning id, tenant_id),
     u as (insert into users (tenant_id, environment_id, email, name) select tenant_id, id, $1, 'Kept Briefly' from e returning id, environment_id)
     select environment_id, id as user_id from u`,
    [email],
  );
  environmentId = rows[0]!.environment_id;
  userId = rows[0]!.user_id;
});

test.afterAll(async () => {
  const { rows } = await db.query<{ object_key: string | null }>('select object_key from exports where user_id = $1', [userId]);
  for (const { object_key } of rows) if (object_key) await s3.send(new DeleteObjectCommand({ Bucket: env.S3_BUCKET, Key: object_key }));
  await db.query('delete from audit_log where environment_id = $1', [environmentId]);
  await db.query('delete from environments where id = $1', [environmentId]);
  await db.end();
  s3.destroy();
});

async function triggerRetentionSweep(): Promise<void> {
  const connection = await Connection.connect(temporalConnectionOptions(env));
  try {
    const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
    // Created by the worker at start, as in production.
    await client.schedule.getHandle(retentionScheduleId(env)).trigger();
  } finally {
    await connection.close();
  }
}

test('an expired export says so, downloads 410 Gone, and is exported again with a link from the original', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, logins.acmeAdmin);
  await page.getByLabel('Environment').selectOption({ label: 'Retention e2e' });
  await startExport(page, email);
  await expect(userRow(page, email).getByRole('status')).toContainText(/Export queued|An export of this user is already running/);
  await page.goto('/exports');
  const rows = page.getByRole('row').filter({ hasText: email });
  const original = rows.first();
  await expect(original.getByText('Completed', { exact: true })).toBeVisible({ timeout: 60_000 });
  // The e2e worker keeps files the default 7 days.
  await expect(original.getByText('Expires in 6 days', { exact: true })).toBeVisible();
  await expect(original.getByRole('button', { name: 'Export again' })).toHaveCount(0);

  const {
    rows: [exp],
  } = await db.query<{ id: string; object_key: string }>('select id, object_key from exports where user_id = $1', [userId]);
  // Age the file past its expiry, then let the worker's retention Schedule run.
  await db.query(`update exports set expires_at = now() - interval '1 minute' where id = $1`, [exp!.id]);
  await triggerRetentionSweep();
  await expect(original.getByText('Expired', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(original.getByText(/^Expired on [A-Z][a-z]{2} \d{1,2}, \d{4}/)).toBeVisible();
  await expect(original.getByRole('link', { name: 'Download' })).toHaveCount(0);

  // The API answers 410 with the error shape and a hint to export again…
  const response = await page.request.get(`/api/exports/${exp!.id}/download`, { maxRedirects: 0 });
  expect(response.status()).toBe(410);
  const body = (await response.json()) as { error: { code: string; message: string; hint: string } };
  expect(body.error).toMatchObject({ code: 'gone', message: expect.stringMatching(/deleted when it expired/), hint: expect.stringMatching(/Export again/) });
  // …and a person following an old Download link reads the same as a page.
  const gone = await page.goto(`/api/exports/${exp!.id}/download`);
  expect(gone?.status()).toBe(410);
  await expect(page.getByRole('heading', { name: 'This export has expired' })).toBeVisible();
  await expect(page.getByText(/Export again/)).toBeVisible();

  await page.goto('/exports');
  await original.getByRole('button', { name: 'Export again', exact: true }).click();
  // Newest first: the new export is on top, the expired one below links to it.
  const expiredRow = rows.filter({ hasText: 'Expired' });
  const again = expiredRow.getByText('Exported again →');
  await expect(again).toBeVisible({ timeout: 30_000 });
  const {
    rows: [newer],
  } = await db.query<{ id: string }>('select id from exports where retry_of = $1', [exp!.id]);
  const link = expiredRow.getByRole('link').filter({ hasText: /\d{4}/ });
  await expect(link).toHaveAttribute('href', `/exports?userId=${userId}#export-${newer!.id}`);
  await expect(expiredRow.getByRole('button', { name: 'Export again' })).toHaveCount(0);
  await expect(page.locator(`#export-${newer!.id}`).getByText('Completed', { exact: true })).toBeVisible({ timeout: 60_000 });

  // The sweep's audit row, written by the system.
  await page.goto('/audit');
  await expect(page.getByRole('row').filter({ hasText: 'Export expired (file deleted)' }).filter({ hasText: email }).first()).toContainText(
    'System (retention)',
  );
});
