import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, dbFromPool, type Db } from '../../lib/db/client';
import { sharedEnv } from '../../lib/env';
import { objectSize } from '../../lib/storage/multipart-upload';
import { createS3Client } from '../../lib/storage/s3';
import { createExportActivities } from '../../worker/activities/export.activities';
import { insertQueuedExport, pickSeededUser } from '../support/export-fixtures';

const env = sharedEnv();
const pool = createPool(env.DATABASE_URL, 4);
const db: Db = dbFromPool(pool);
const s3 = createS3Client(env);
// Small parts and a fast progress tick so a test-sized export shows several heartbeats.
const activities = createExportActivities({
  db,
  pool,
  s3,
  bucket: env.S3_BUCKET,
  retentionDays: 7,
  runOptions: { progressIntervalMs: 100, partSize: 5 * 1024 * 1024 },
});

let bigUser: Awaited<ReturnType<typeof pickSeededUser>>;

/** Records the name of every command `client` sends; `refuse` makes a command fail before it is sent. */
function recordCommands(client: S3Client, refuse?: string): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      if (context.commandName === refuse) throw Object.assign(new Error(`${refuse} refused by the test`), { $metadata: {} });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}

/** The abort-related commands sent once the multipart upload existed. */
const abortsAfterCreate = (sent: string[]) =>
  sent.slice(sent.indexOf('CreateMultipartUploadCommand') + 1).filter((c) => c === 'ListMultipartUploadsCommand' || c === 'AbortMultipartUploadCommand');

beforeAll(async () => {
  bigUser = await pickSeededUser(db, 100_000);
});
afterAll(async () => {
  s3.destroy();
  await db.destroy();
});

describe('export activity (MockActivityEnvironment, real Postgres and S3)', () => {
  it('heartbeats carry growing progress and the row follows', async () => {
    const input = await insertQueuedExport(db, bigUser);
    const mock = new MockActivityEnvironment();
    const beats: number[] = [];
    mock.on('heartbeat', (details: { rowsExported: number }) => beats.push(details.rowsExported));
    const result = await mock.run(activities.exportUserData, input);

    // The file's facts go to the row only; Temporal gets the attempt's heartbeat count.
    expect(result).toEqual({ heartbeats: expect.any(Number) });
    expect(beats.length).toBeGreaterThan(1);
    expect(beats).toEqual([...beats].sort((a, b) => a - b));
    expect(beats.at(-1)!).toBeLessThanOrEqual(bigUser.events);
    const row = await db.selectFrom('exports').selectAll().where('id', '=', input.exportId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'completed', rows_exported: bigUser.events, object_key: `exports/${input.tenantId}/${input.environmentId}/${input.exportId}.zip` });
    expect(row.started_at).not.toBeNull();
  });

  it('cancellation stops the work, leaves no object and no open multipart upload', async () => {
    const input = await insertQueuedExport(db, bigUser);
    const mock = new MockActivityEnvironment();
    let beats = 0;
    mock.on('heartbeat', (details: { rowsExported: number }) => {
      // Cancel once real progress shows: the upload is under way.
      if (++beats === 2 && details.rowsExported >= 0) mock.cancel('CANCELLED');
    });
    const error = await mock.run(activities.exportUserData, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledFailure);

    const key = `exports/${input.tenantId}/${input.environmentId}/${input.exportId}.zip`;
    expect(await objectSize(s3, env.S3_BUCKET, key)).toBeNull();
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: env.S3_BUCKET, Prefix: key }));
    expect(uploads.Uploads ?? []).toEqual([]);
    const row = await db.selectFrom('exports').select(['status', 'rows_exported']).where('id', '=', input.exportId).executeTakeFirstOrThrow();
    // The workflow, not the activity, records the cancelled ending.
    expect(row.status).toBe('running');
    expect(row.rows_exported).toBeLessThan(bigUser.events);
    // End it as the workflow would, so the user is free for the next test.
    await activities.finishExport({ ...input, status: 'cancelled', errorSummary: null });
  });

  it('a failed upload is aborted once, and no multipart upload stays open', async () => {
    const input = await insertQueuedExport(db, bigUser);
    const failing = createS3Client(env);
    const sent = recordCommands(failing, 'UploadPartCommand');
    const failingActivities = createExportActivities({ db, pool, s3: failing, bucket: env.S3_BUCKET, retentionDays: 7, runOptions: { partSize: 5 * 1024 * 1024 } });
    const error = await new MockActivityEnvironment().run(failingActivities.exportUserData, input).catch((e: unknown) => e);
    failing.destroy();
    expect(error).toMatchObject({ type: 'StorageError' });
    // One list of what is open for the key, one abort of it: not lib-storage's abort plus
    // a list in uploadStream plus another in the runner.
    expect(abortsAfterCreate(sent)).toEqual(['ListMultipartUploadsCommand', 'AbortMultipartUploadCommand']);
    const key = `exports/${input.tenantId}/${input.environmentId}/${input.exportId}.zip`;
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: env.S3_BUCKET, Prefix: key }));
    expect(uploads.Uploads ?? []).toEqual([]);
    await activities.finishExport({ ...input, status: 'failed', errorSummary: 'test' });
  });

  it('an export of another tenant\'s user is not found, non-retryably', async () => {
    const input = await insertQueuedExport(db, bigUser);
    const other = await db.selectFrom('environments').select(['id', 'tenant_id']).where('tenant_id', '!=', bigUser.tenant_id).executeTakeFirstOrThrow();
    const mock = new MockActivityEnvironment();
    const error = await mock.run(activities.exportUserData, { ...input, tenantId: other.tenant_id, environmentId: other.id }).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'NotFound', nonRetryable: true });
  });
});
