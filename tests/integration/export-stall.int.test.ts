import { DeleteObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, dbFromPool } from '../../lib/db/client';
import { migrateToLatest } from '../../lib/db/migrator';
import { insertGeneratedEvents } from '../../lib/db/seed-events';
import { sharedEnv } from '../../lib/env';
import { runExport } from '../../lib/exports/export-runner';
import { streamOrderSettings } from '../../lib/exports/events-copy';
import { eventsCsvSelectSql } from '../../lib/exports/formats/csv/events-csv-sql';
import { eventsJsonlSelectSql } from '../../lib/exports/formats/jsonl.format';
import { exportObjectPrefix } from '../../lib/exports/export-file-name';
import { ExportStalledError } from '../../lib/exports/stall-watchdog';
import { createS3Client } from '../../lib/storage/s3';
import { createScratchDatabase } from '../support/scratch-database';

/**
 * A COPY that hangs (here: behind a lock another session holds on `events`, in a database
 * of its own so no other test waits) ends the attempt at the stall timeout, named as a
 * database stall, with its Postgres client discarded and no upload left open.
 */
const env = sharedEnv();
const s3 = createS3Client(env);
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let pool: pg.Pool;
let input: { exportId: string; tenantId: string; environmentId: string; userId: string };

beforeAll(async () => {
  scratch = await createScratchDatabase();
  await migrateToLatest(scratch.db);
  const tenant = await scratch.db.insertInto('tenants').values({ slug: 'stall', name: 'Stall' }).returning('id').executeTakeFirstOrThrow();
  const environment = await scratch.db
    .insertInto('environments')
    .values({ tenant_id: tenant.id, slug: 'production', name: 'Production' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const user = await scratch.db
    .insertInto('users')
    .values({ tenant_id: tenant.id, environment_id: environment.id, email: 'stuck@stall.example', name: 'Stuck' })
    .returning('id')
    .executeTakeFirstOrThrow();
  input = { exportId: crypto.randomUUID(), tenantId: tenant.id, environmentId: environment.id, userId: user.id };
  await insertGeneratedEvents(scratch.db, input, 2_000, '2025-01-01T00:00:00Z');
  pool = createPool(scratch.url, 4);
});

afterAll(async () => {
  await pool?.end();
  await scratch?.drop();
  s3.destroy();
});

describe('export stall detection', () => {
  it('a COPY that never starts ends the attempt at the stall timeout, as a database stall', async () => {
    const locker = new pg.Client({ connectionString: scratch.url });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table events in access exclusive mode');
    try {
      const started = Date.now();
      const error = await runExport({ db: dbFromPool(pool), pool, s3, bucket: env.S3_BUCKET }, input, { stallTimeoutMs: 1_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExportStalledError);
      expect((error as ExportStalledError).stalledOn).toBe('database');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    // The client whose COPY was cut off was discarded, not returned to the pool half-way.
    expect(pool.idleCount).toBe(0);
    const prefix = exportObjectPrefix(input);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: env.S3_BUCKET, Prefix: prefix }));
    expect(uploads.Uploads ?? []).toEqual([]);
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: env.S3_BUCKET, Prefix: prefix }));
    expect(objects.Contents ?? []).toEqual([]);
  });

  it('the same export completes once the lock is gone: the watchdog only ends attempts that stall', async () => {
    const file = await runExport({ db: dbFromPool(pool), pool, s3, bucket: env.S3_BUCKET }, input, { stallTimeoutMs: 1_000, partSize: 5 * 1024 * 1024 });
    expect(file.rows).toBe(2_000);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: env.S3_BUCKET, Prefix: file.objectKey }));
    expect(listed.Contents).toHaveLength(1);
    await s3.send(new DeleteObjectCommand({ Bucket: env.S3_BUCKET, Key: file.objectKey }));
  });

  it.each([
    ['csv', eventsCsvSelectSql],
    ['jsonl', eventsJsonlSelectSql],
    ['ranged jsonl', (q: typeof input) => eventsJsonlSelectSql({ ...q, from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' })],
  ])('the %s COPY reads a user holding the whole table through the index, in order: no sort holds back the first row', async (_label, selectSql) => {
    const client = await pool.connect();
    const plan = async () => (await client.query<{ 'QUERY PLAN': string }>(`explain ${selectSql(input)}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    try {
      await client.query('analyze events');
      // Left to itself, Postgres scans the whole table and sorts it before sending a row.
      expect(await plan()).toMatch(/Sort/);
      await client.query(streamOrderSettings.apply);
      const streamed = await plan();
      expect(streamed).toMatch(/Index (Only )?Scan using events_user_time_idx/);
      expect(streamed).not.toMatch(/Sort/);
    } finally {
      await client.query(streamOrderSettings.reset);
      client.release();
    }
  });
});
