import { randomBytes } from 'node:crypto';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expect, test, type APIRequestContext, type APIResponse } from '@playwright/test';
import type pg from 'pg';
import { hashPassword } from '../../lib/auth/password';
import { sharedEnv } from '../../lib/env';
import { createS3Client } from '../../lib/storage/s3';
import { logins, signIn, startExport, userRow } from '../fixtures';
import { connectDb, databaseNow, exportsOfUserSince, pickUser, seededTenant } from './data';
import { expectApiError } from './expect-api';
import { appBaseURL, appOrigin, cookieHeader, signInApi } from './session';

/**
 * Abuse of the export endpoint: a burst of parallel clicks must start one export, and a
 * tenant past its per-minute cap gets 429 with Retry-After, in the API and in the page.
 */
const env = sharedEnv();
const s3 = createS3Client(env);
const perMinute = Number(process.env.EXPORT_RATE_PER_MINUTE ?? 30);
const sameOrigin = { origin: appOrigin };

let db: pg.Client;
const contexts: APIRequestContext[] = [];

interface ExportBody {
  export: { id: string; status: string; userId: string };
}

/** Polls GET /api/exports/{id} until the export has ended; returns its final status. */
async function waitForEnd(context: APIRequestContext, id: string): Promise<string> {
  let status = '';
  await expect
    .poll(
      async () => {
        const response = await context.get(`/api/exports/${id}`);
        expect(response.status()).toBe(200);
        status = ((await response.json()) as ExportBody).export.status;
        return status;
      },
      { timeout: 60_000, intervals: [100, 100, 200, 250] },
    )
    .toMatch(/^(completed|failed|cancelled)$/);
  return status;
}

test.beforeAll(async () => {
  db = await connectDb();
});

test.afterAll(async () => {
  for (const context of contexts) await context.dispose();
  await db.end();
  s3.destroy();
});

test('20 parallel export requests for one user start exactly one export', async () => {
  const acme = await seededTenant(db, 'acme', logins.acmeAdmin);
  const user = await pickUser(db, acme.production, { zeroEvents: true });
  const admin = await signInApi(logins.acmeAdmin);
  contexts.push(admin);

  // Node's fetch, one connection per request, all sent at once: a real burst, not a queue.
  const cookie = await cookieHeader(admin);
  // Warm the app's database pool first: with cold connections the requests would queue
  // for them one by one and never meet inside the dedupe check.
  const warm = await Promise.all(Array.from({ length: 20 }, () => fetch(`${appBaseURL}/api/exports?limit=1`, { headers: { cookie } })));
  for (const response of warm) expect(response.status).toBe(200);
  const since = await databaseNow(db);
  const results = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const response = await fetch(`${appBaseURL}/api/users/${user.id}/exports`, { method: 'POST', headers: { cookie, ...sameOrigin } });
      return { status: response.status, text: await response.text(), location: response.headers.get('location') };
    }),
  );
  for (const result of results) expect([200, 202], result.text).toContain(result.status);
  const ids = results.map((r) => (JSON.parse(r.text) as ExportBody).export.id);
  expect(new Set(ids).size).toBe(1);
  expect(results.filter((r) => r.status === 202)).toHaveLength(1);
  for (const result of results) expect(result.location).toBe(`/api/exports/${ids[0]}`);

  const rows = await exportsOfUserSince(db, user.id, since);
  expect(rows).toHaveLength(1);
  expect(rows[0]!.id).toBe(ids[0]);
  expect(new Set(rows.map((r) => r.workflow_id)).size).toBe(1);

  // Every request is audited, the deduplicated ones too.
  const { rows: audit } = await db.query<{ n: number }>(`select count(*)::int as n from audit_log where export_id = $1 and action = 'export.requested'`, [
    ids[0],
  ]);
  expect(audit[0]!.n).toBe(20);

  // It runs to the end (no events: moments). A request right after, from the same admin,
  // still returns it: a burst whose first export already finished starts nothing new (issue
  // 10 §6). That a request after the dedupe window starts a new export is covered by
  // tests/integration/export-dedupe.int.test.ts, which moves the clock instead of waiting.
  expect(await waitForEnd(admin, ids[0]!)).toBe('completed');
  const again = await admin.post(`/api/users/${user.id}/exports`, { headers: sameOrigin });
  expect(again.status(), await again.text()).toBe(200);
  expect(((await again.json()) as ExportBody).export.id).toBe(ids[0]);
  expect(await exportsOfUserSince(db, user.id, since)).toHaveLength(1);
});

test('Idempotency-Key: the same key returns the same export, reused for another user is a 409', async () => {
  const acme = await seededTenant(db, 'acme', logins.acmeAdmin);
  const user = await pickUser(db, acme.production, { zeroEvents: true });
  const other = await pickUser(db, acme.production, { newestEmailFirst: true });
  expect(other.id).not.toBe(user.id);
  const admin = await signInApi(logins.acmeAdmin);
  contexts.push(admin);
  const key = `"${randomBytes(16).toString('hex')}"`;
  const since = await databaseNow(db);

  const first = await admin.post(`/api/users/${user.id}/exports`, { headers: { ...sameOrigin, 'idempotency-key': key } });
  expect([200, 202], await first.text()).toContain(first.status());
  const id = ((await first.json()) as ExportBody).export.id;
  const replay = await admin.post(`/api/users/${user.id}/exports`, { headers: { ...sameOrigin, 'idempotency-key': key } });
  expect(replay.status(), await replay.text()).toBe(200);
  expect(((await replay.json()) as ExportBody).export.id).toBe(id);

  const reused = await admin.post(`/api/users/${other.id}/exports`, { headers: { ...sameOrigin, 'idempotency-key': key } });
  const { body } = await expectApiError(reused, 409, 'key reused for another user');
  expect(body.error.message).toMatch(/Idempotency-Key/);
  expect(await exportsOfUserSince(db, other.id, since)).toHaveLength(0);

  const malformed = await admin.post(`/api/users/${user.id}/exports`, { headers: { ...sameOrigin, 'idempotency-key': 'x'.repeat(300) } });
  await expectApiError(malformed, 400, 'oversized key');
  expect(await waitForEnd(admin, id)).toBe('completed');
});

test.describe('per-minute export rate limit', () => {
  const suffix = randomBytes(4).toString('hex');
  const slug = `ratelimit-${suffix}`;
  const adminEmail = `admin@${slug}.test`;
  const password = `rate-limit-${randomBytes(6).toString('hex')}`;
  let tenantId = '';
  let userIds: string[] = [];
  let userEmails: string[] = [];

  test.beforeAll(async () => {
    const tenant = await db.query<{ id: string }>(`insert into tenants (slug, name) values ($1, $2) returning id`, [slug, `Rate limit ${suffix}`]);
    tenantId = tenant.rows[0]!.id;
    const environment = await db.query<{ id: string }>(
      `insert into environments (tenant_id, slug, name) values ($1, 'production', 'Production') returning id`,
      [tenantId],
    );
    await db.query(`insert into admins (tenant_id, email, name, password_hash, role) values ($1, $2, 'Rate Admin', $3, 'admin')`, [
      tenantId,
      adminEmail,
      await hashPassword(password),
    ]);
    const users = await db.query<{ id: string; email: string }>(
      `insert into users (tenant_id, environment_id, email, name)
       select $1, $2, format('user-%s@%s.example', lpad(n::text, 2, '0'), $3::text), format('Rate User %s', n)
       from generate_series(1, 32) n
       returning id, email`,
      [tenantId, environment.rows[0]!.id, slug],
    );
    const sorted = [...users.rows].sort((a, b) => a.email.localeCompare(b.email));
    userIds = sorted.map((u) => u.id);
    userEmails = sorted.map((u) => u.email);
    expect(userIds).toHaveLength(32);
  });

  test.afterAll(async () => {
    if (!tenantId) return;
    await db.query('delete from audit_log where tenant_id = $1', [tenantId]);
    await db.query('delete from exports where tenant_id = $1', [tenantId]);
    await db.query('delete from sign_in_attempts where email = $1', [adminEmail]);
    await db.query('delete from tenants where id = $1', [tenantId]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: env.S3_BUCKET, Prefix: `exports/${tenantId}/` }));
    const keys = (listed.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: env.S3_BUCKET, Delete: { Objects: keys } }));
  });

  test('past the cap the API answers 429 with Retry-After, and the users page says to try again', async ({ page }) => {
    test.setTimeout(180_000);
    expect(userIds.length).toBeGreaterThan(perMinute + 1);
    const admin = await signInApi(adminEmail, password);
    contexts.push(admin);

    // One after another, each awaited to its end, so only the per-minute cap can refuse.
    let refused: APIResponse | undefined;
    let accepted = 0;
    for (const userId of userIds.slice(0, perMinute + 1)) {
      const response = await admin.post(`/api/users/${userId}/exports`, { headers: sameOrigin });
      if (response.status() === 429) {
        refused = response;
        break;
      }
      expect(response.status(), await response.text()).toBe(202);
      accepted++;
      expect(await waitForEnd(admin, ((await response.json()) as ExportBody).export.id)).toBe('completed');
    }
    expect(accepted, `requests accepted before the first 429`).toBe(perMinute);
    expect(refused, `request ${perMinute + 1} was not refused`).toBeDefined();

    const { body } = await expectApiError(refused!, 429, `POST export #${perMinute + 1}`);
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toMatch(/last minute|queued or running/);
    const retryAfter = refused!.headers()['retry-after'];
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);

    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from exports where tenant_id = $1', [tenantId]);
    expect(rows[0]!.n).toBe(perMinute);

    // The page shows the refusal inline, with what to do.
    const last = userEmails[perMinute + 1]!;
    await signIn(page, adminEmail, password);
    await page.getByLabel('Search users').fill(last);
    const row = userRow(page, last);
    await expect(row).toBeVisible();
    await startExport(page, last);
    const alert = row.getByRole('alert');
    await expect(alert).toBeVisible();
    await expect(alert).toContainText(/try again/i);
    await expect(alert).toContainText(/exports/i);
    const after = await db.query<{ n: number }>('select count(*)::int as n from exports where tenant_id = $1', [tenantId]);
    expect(after.rows[0]!.n).toBe(perMinute);
  });
});
