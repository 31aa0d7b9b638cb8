import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, dbFromPool, type Db } from '../../lib/db/client';
import { sharedEnv } from '../../lib/env';
import { runExport } from '../../lib/exports/export-runner';
import { createS3Client } from '../../lib/storage/s3';
import { getObjectBytes } from '../support/export-fixtures';
import { readZip } from '../support/zip';

/**
 * The `csv` format's bytes, pinned: a fixed user and fixed events (fixed ids, times,
 * hostile text, formula triggers, nested JSON) exported through the real COPY → ZIP path.
 * The hashes were computed from the code before the format seam existed, so a refactor that
 * changes one byte of events.csv or profile.csv fails here.
 */
const env = sharedEnv();
const pool = createPool(env.DATABASE_URL, 2);
const db: Db = dbFromPool(pool);
const s3 = createS3Client(env);
const deps = { db, pool, s3, bucket: env.S3_BUCKET };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const userId = '1d0c3a52-9f1e-4c1b-8a7e-0000000000a1';
const fixtureEvents: [id: string, type: string, occurredAt: string, properties: string][] = [
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e1', 'page.view', '2026-01-02T03:04:05.123456Z', '{"path": "/home", "n": 1}'],
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e2', '=cmd|\' /C calc\'!A0', '2026-01-02T03:04:05.123Z', '{"=k": "+v", "q": "a \\"quoted\\" word"}'],
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e3', 'comma,and "quote"\nnewline\r\nCRLF', '2026-02-28T23:59:59.999Z', '{"nested": {"a": [1, 2.5, null, true]}, "uni": "🎉 שלום é"}'],
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e4', '-1', '2026-03-01T00:00:00Z', '{}'],
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e5', '@SUM(1)', '2026-03-01T00:00:00Z', '"=string json"'],
  ['1d0c3a52-9f1e-4c1b-8a7e-0000000000e6', '\tTab', '2026-12-31T12:00:00.5+02:00', '{"back\\\\slash": "\\u0007\\n"}'],
];

const pinnedCsv = {
  profile: '14fa63098e568fe5f21bbea1965804e7aab9b5391583aa9b3d9bb32de726b92e',
  events: '653d645722ff10f142be1caea26391227f7b911956b951b23d8c30c8c534e8a2',
};

let scope: { tenantId: string; environmentId: string };
const objectKeys: string[] = [];

async function removeFixture(): Promise<void> {
  await sql`delete from users where id = ${userId}`.execute(db);
}

beforeAll(async () => {
  const { rows } = await sql<{ id: string; tenant_id: string }>`select e.id, e.tenant_id from environments e join tenants t on t.id = e.tenant_id where t.slug = 'acme' and e.slug = 'sandbox'`.execute(db);
  scope = { tenantId: rows[0]!.tenant_id, environmentId: rows[0]!.id };
  await removeFixture();
  await sql`insert into users (id, tenant_id, environment_id, email, name, created_at, last_login_at)
    values (${userId}, ${scope.tenantId}, ${scope.environmentId}, ${'=pinned@example.test'}, ${'Pinned, "Fixture"\nUser'}, '2025-06-07T08:09:10.011Z', null)`.execute(db);
  for (const [id, type, occurredAt, properties] of fixtureEvents) {
    await sql`insert into events (id, tenant_id, environment_id, user_id, type, occurred_at, properties)
      values (${id}, ${scope.tenantId}, ${scope.environmentId}, ${userId}, ${type}, ${occurredAt}::timestamptz, ${properties}::jsonb)`.execute(db);
  }
});

afterAll(async () => {
  await removeFixture();
  await pool.end();
});

describe('csv format bytes', () => {
  it('writes events.csv and profile.csv byte for byte as before the format seam', async () => {
    const result = await runExport(deps, { exportId: randomUUID(), userId, ...scope });
    objectKeys.push(result.objectKey);
    const files = await readZip(await getObjectBytes(s3, env.S3_BUCKET, result.objectKey));
    expect({ profile: sha256(files.get('profile.csv')!), events: sha256(files.get('events.csv')!) }).toEqual(pinnedCsv);
  });
});
