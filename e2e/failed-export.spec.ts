import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { sharedEnv } from '../lib/env';
import { createS3Client } from '../lib/storage/s3';
import { internalDetailPattern } from '../tests/support/internal-detail';
import { logins, signIn, startExport, userRow } from './fixtures';

/**
 * A real storage failure: an environment whose object-key prefix is blocked by an object
 * of the same name (the posix gateway cannot create a folder where a file is), so every
 * upload attempt fails and the export must end Failed with a readable summary.
 */
const env = sharedEnv();
const s3 = createS3Client(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
let blockerKey = '';
let environmentId = '';

test.beforeAll(async () => {
  await db.connect();
  const { rows } = await db.query<{ tenant_id: string; environment_id: string }>(
    `with t as (select id from tenants where slug = 'acme'),
     e as (insert into environments (tenant_id, slug, name) select id, 'broken-storage', 'Broken storage' from t returning id, tenant_id),
     u as (insert into users (tenant_id, environment_id, email, name) select tenant_id, id, 'doomed@broken.acme.example', 'Doomed User' from e returning id, tenant_id, environment_id)
     select tenant_id, environment_id from u`,
  );
  environmentId = rows[0]!.environment_id;
  blockerKey = `exports/${rows[0]!.tenant_id}/${environmentId}`;
  await s3.send(new PutObjectCommand({ Bucket: env.S3_BUCKET, Key: blockerKey, Body: 'blocks the export prefix' }));
});

test.afterAll(async () => {
  await s3.send(new DeleteObjectCommand({ Bucket: env.S3_BUCKET, Key: blockerKey }));
  await db.query('delete from audit_log where environment_id = $1', [environmentId]);
  await db.query('delete from environments where id = $1', [environmentId]);
  await db.end();
  s3.destroy();
});

test('a failed export shows its summary', async ({ page }) => {
  // Three attempts with the seed's backoff (5 s, then 10 s) before it gives up.
  test.setTimeout(120_000);
  await signIn(page, logins.acmeAdmin);
  await page.getByLabel('Environment').selectOption({ label: 'Broken storage' });
  await startExport(page, 'doomed@broken.acme.example');
  await expect(userRow(page, 'doomed@broken.acme.example').getByRole('status')).toContainText(/Export queued|An export of this user is already running/);
  await page.goto('/exports');
  const row = page.getByRole('row').filter({ hasText: 'doomed@broken.acme.example' }).first();
  await expect(row.getByText('Failed', { exact: true })).toBeVisible({ timeout: 90_000 });
  const summary = row.getByText(/^The export failed after 3 attempts because file storage was unreachable\. Request it again/);
  await expect(summary).toBeVisible();
  // The summary is shown to every admin of the tenant: no internal hosts, ports or codes.
  expect(await summary.innerText()).not.toMatch(internalDetailPattern);
  await expect(row.getByRole('link', { name: 'Download' })).toHaveCount(0);
});
