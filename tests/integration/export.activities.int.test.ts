import { createHash } from 'node:crypto';
import { ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createPool, dbFromPool, type Db } from '../../lib/db/client';
import { sharedEnv } from '../../lib/env';
import { createS3Client } from '../../lib/storage/s3';
import { createExportActivities } from '../../worker/activities/export.activities';
import type { UserExportInput } from '../../lib/exports/export.contracts';
import { getObjectBytes, insertQueuedExport, pickSeededUser } from '../support/export-fixtures';

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
  retentionSeconds: 7 * 24 * 3600,
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

/** A client that awaits `before(command)` before each command is sent and calls `after(command)` once it answered. */
function hookedClient(hooks: { before?: (command: string) => Promise<void> | void; after?: (command: string) => void }): S3Client {
  const client = createS3Client(env);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      await hooks.before?.(context.commandName ?? '?');
      const result = await next(args);
      hooks.after?.(context.commandName ?? '?');
      return result;
    },
    { step: 'initialize', name: 'hookedClient' },
  );
  return client;
}

/** Every object and open multipart upload stored for an export, whichever attempt wrote it. */
async function storedFor(input: UserExportInput): Promise<{ objects: string[]; uploads: string[] }> {
  const Prefix = `exports/${input.tenantId}/${input.environmentId}/${input.exportId}`;
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: env.S3_BUCKET, Prefix }));
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: env.S3_BUCKET, Prefix }));
  return { objects: (objects.Contents ?? []).map((o) => o.Key!), uploads: (uploads.Uploads ?? []).map((u) => u.Key!) };
}

/** The abort-related commands sent once the multipart upload existed. */
const abortsAfterCreate = (sent: string[]) =>
  sent.slice(sent.indexOf('CreateMultipartUploadCommand') + 1).filter((c) => c === 'ListMultipartUploadsCommand' || c === 'AbortMultipartUploadCommand');

beforeAll(async () => {
  bigUser = await pickSeededUser(db, 100_000);
});
// A failed test must not leave its export in flight: the next one's insert would then hit
// the one-in-flight-per-user index and fail for no reason of its own.
afterEach(async () => {
  const inFlight = await db
    .selectFrom('exports')
    .select(['id', 'user_id', 'tenant_id', 'environment_id'])
    .where('user_id', '=', bigUser.id)
    .where('status', 'in', ['queued', 'running'])
    .execute();
  for (const row of inFlight) {
    await activities.finishExport({
      exportId: row.id,
      userId: row.user_id,
      tenantId: row.tenant_id,
      environmentId: row.environment_id,
      status: 'failed',
      errorSummary: 'test',
    });
  }
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
    expect(row).toMatchObject({ status: 'completed', rows_exported: bigUser.events });
    expect(row.object_key).toMatch(new RegExp(`^exports/${input.tenantId}/${input.environmentId}/${input.exportId}/[^/]+\\.zip$`));
    expect(await storedFor(input)).toEqual({ objects: [row.object_key], uploads: [] });
    expect(row.started_at).not.toBeNull();
  });

  it('cancellation stops the work, leaves no object and no open multipart upload', async () => {
    const input = await insertQueuedExport(db, bigUser);
    const mock = new MockActivityEnvironment();
    // Cancel when the first part is about to be sent: the upload is under way whatever the
    // machine's load (a cancel timed by heartbeats could land after the whole export).
    let cancelled = false;
    const client = hookedClient({
      before: (command) => {
        if (command === 'UploadPartCommand' && !cancelled) {
          cancelled = true;
          mock.cancel('CANCELLED');
        }
      },
    });
    const cancelling = createExportActivities({
      db,
      pool,
      s3: client,
      bucket: env.S3_BUCKET,
      retentionSeconds: 7 * 24 * 3600,
      runOptions: { progressIntervalMs: 100, partSize: 5 * 1024 * 1024 },
    });
    const error = await mock.run(cancelling.exportUserData, input).catch((e: unknown) => e);
    client.destroy();
    expect(cancelled).toBe(true);
    expect(error).toBeInstanceOf(CancelledFailure);

    expect(await storedFor(input)).toEqual({ objects: [], uploads: [] });
    const row = await db.selectFrom('exports').select(['status', 'rows_exported']).where('id', '=', input.exportId).executeTakeFirstOrThrow();
    // The workflow, not the activity, records the cancelled ending.
    expect(row.status).toBe('running');
    expect(row.rows_exported).toBeLessThan(bigUser.events);
    // End it as the workflow would, so the user is free for the next test.
    await activities.finishExport({ ...input, status: 'cancelled', errorSummary: null });
  });

  it('a cancel that arrives once the upload is complete deletes the object', async () => {
    const input = await insertQueuedExport(db, bigUser);
    const mock = new MockActivityEnvironment();
    // The window the heartbeat-timed cancel above used to hit under load, made certain.
    const client = hookedClient({ after: (command) => command === 'CompleteMultipartUploadCommand' && mock.cancel('CANCELLED') });
    const late = createExportActivities({
      db,
      pool,
      s3: client,
      bucket: env.S3_BUCKET,
      retentionSeconds: 7 * 24 * 3600,
      runOptions: { partSize: 5 * 1024 * 1024 },
    });
    const error = await mock.run(late.exportUserData, input).catch((e: unknown) => e);
    client.destroy();
    expect(error).toBeInstanceOf(CancelledFailure);
    expect(await storedFor(input)).toEqual({ objects: [], uploads: [] });
    const row = await db.selectFrom('exports').select(['status', 'object_key']).where('id', '=', input.exportId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'running', object_key: null });
    await activities.finishExport({ ...input, status: 'cancelled', errorSummary: null });
  });

  it('two attempts racing end with a row whose sha256 and size match the stored object', async () => {
    const input = await insertQueuedExport(db, bigUser);
    // The stale attempt (a cut-off worker still running) starts first, then stalls just
    // before creating its upload while the current attempt runs to completion.
    let reachedCreate!: () => void;
    const atCreate = new Promise<void>((resolve) => (reachedCreate = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const staleClient = hookedClient({
      before: async (command) => {
        if (command !== 'CreateMultipartUploadCommand') return;
        reachedCreate();
        await held;
      },
    });
    const staleActivities = createExportActivities({
      db,
      pool,
      s3: staleClient,
      bucket: env.S3_BUCKET,
      retentionSeconds: 7 * 24 * 3600,
      runOptions: { partSize: 5 * 1024 * 1024 },
    });
    const stale = new MockActivityEnvironment({ attempt: 1 }).run(staleActivities.exportUserData, input).then(
      () => 'returned',
      (e: unknown) => e,
    );
    await atCreate;
    await new MockActivityEnvironment({ attempt: 2 }).run(activities.exportUserData, input);
    release();
    await stale;
    staleClient.destroy();

    const row = await db.selectFrom('exports').selectAll().where('id', '=', input.exportId).executeTakeFirstOrThrow();
    expect(row.status).toBe('completed');
    const stored = await getObjectBytes(s3, env.S3_BUCKET, row.object_key!);
    expect({ sha256: createHash('sha256').update(stored).digest('hex'), bytes: stored.length }).toEqual({ sha256: row.sha256, bytes: Number(row.bytes) });
    // The attempt that lost deleted what it wrote and left no upload open.
    expect(await storedFor(input)).toEqual({ objects: [row.object_key], uploads: [] });
  });

  it("two attempts racing, the cut-off one finishing first: its file is the row's, the current one deletes its own", async () => {
    const input = await insertQueuedExport(db, bigUser);
    /** A gate an attempt's client waits at before sending `command`; `reached` resolves once it waits there. */
    const gate = (command: string) => {
      let reached!: () => void;
      let release!: () => void;
      const at = { reached: new Promise<void>((r) => (reached = r)), open: new Promise<void>((r) => (release = r)), release: () => release() };
      const client = hookedClient({
        before: async (sent) => {
          if (sent !== command) return;
          reached();
          await at.open;
        },
      });
      return { ...at, client };
    };
    const activitiesOn = (client: S3Client) =>
      createExportActivities({ db, pool, s3: client, bucket: env.S3_BUCKET, retentionSeconds: 7 * 24 * 3600, runOptions: { partSize: 5 * 1024 * 1024 } });
    // Attempt 1 (its worker cut off) has stored its whole object and is about to check it;
    // attempt 2 runs meanwhile, up to completing its own upload.
    const staleGate = gate('HeadObjectCommand');
    const stale = new MockActivityEnvironment({ attempt: 1 }).run(activitiesOn(staleGate.client).exportUserData, input);
    await staleGate.reached;
    const currentGate = gate('CompleteMultipartUploadCommand');
    const current = new MockActivityEnvironment({ attempt: 2 }).run(activitiesOn(currentGate.client).exportUserData, input);
    await currentGate.reached;
    staleGate.release();
    await stale;
    currentGate.release();
    // The current attempt finds the export completed: redundant, not failed.
    expect(await current).toEqual({ heartbeats: expect.any(Number) });
    staleGate.client.destroy();
    currentGate.client.destroy();

    const row = await db.selectFrom('exports').selectAll().where('id', '=', input.exportId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'completed', rows_exported: bigUser.events });
    const stored = await getObjectBytes(s3, env.S3_BUCKET, row.object_key!);
    expect({ sha256: createHash('sha256').update(stored).digest('hex'), bytes: stored.length }).toEqual({ sha256: row.sha256, bytes: Number(row.bytes) });
    expect(await storedFor(input)).toEqual({ objects: [row.object_key], uploads: [] });
  });

  it('heartbeats stop while nothing moves: an upload stalled on S3 lets the heartbeat time out', async () => {
    const input = await insertQueuedExport(db, bigUser);
    const mock = new MockActivityEnvironment();
    let beats = 0;
    let lastBeatAt = 0;
    mock.on('heartbeat', () => {
      beats++;
      lastBeatAt = Date.now();
    });
    // Every UploadPart waits until the test releases it: the pipeline fills its buffers (or
    // finishes the ZIP) and stops. How long that takes depends on the machine's load, so the
    // test waits for the heartbeats to go quiet rather than for a fixed time.
    let stalled = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const client = hookedClient({
      before: async (command) => {
        if (command !== 'UploadPartCommand') return;
        stalled = true;
        await held;
      },
    });
    const stalling = createExportActivities({
      db,
      pool,
      s3: client,
      bucket: env.S3_BUCKET,
      retentionSeconds: 7 * 24 * 3600,
      runOptions: { progressIntervalMs: 100, partSize: 5 * 1024 * 1024 },
    });
    const outcome = mock.run(stalling.exportUserData, input).then(
      () => 'completed',
      (e: unknown) => e,
    );
    try {
      // A heartbeat on a timer beats ~15 times in any 1.5 s: this quiet never comes.
      await expect.poll(() => stalled && Date.now() - lastBeatAt >= 1_500, { timeout: 30_000, interval: 100 }).toBe(true);
    } finally {
      release();
    }
    expect(await outcome).toBe('completed');
    client.destroy();
    expect(beats).toBeGreaterThan(1);
  });

  it('a failed upload is aborted once, and no multipart upload stays open', async () => {
    const input = await insertQueuedExport(db, bigUser);
    const failing = createS3Client(env);
    const sent = recordCommands(failing, 'UploadPartCommand');
    const failingActivities = createExportActivities({
      db,
      pool,
      s3: failing,
      bucket: env.S3_BUCKET,
      retentionSeconds: 7 * 24 * 3600,
      runOptions: { partSize: 5 * 1024 * 1024 },
    });
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

  it('an attempt after one that completed the export but was cut off before Temporal heard (kill -9) is redundant, not failed', async () => {
    const small = await pickSeededUser(db, 1);
    const input = await insertQueuedExport(db, small);
    // Attempt 1 completes the row and the object; its worker dies before reporting.
    await new MockActivityEnvironment().run(activities.exportUserData, input);
    const completed = await db.selectFrom('exports').selectAll().where('id', '=', input.exportId).executeTakeFirstOrThrow();
    expect(completed.status).toBe('completed');
    // Attempt 2, scheduled after the heartbeat timeout, finds the row already completed.
    const retried = await new MockActivityEnvironment({ attempt: 2 }).run(activities.exportUserData, input);
    expect(retried).toEqual({ heartbeats: expect.any(Number) });
    const row = await db.selectFrom('exports').selectAll().where('id', '=', input.exportId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'completed', object_key: completed.object_key, sha256: completed.sha256 });
    expect(await storedFor(input)).toEqual({ objects: [completed.object_key], uploads: [] });
  });

  it('an attempt whose input names another user of the environment leaves the row alone: its writes filter on user_id', async () => {
    const small = await pickSeededUser(db, 1);
    const input = await insertQueuedExport(db, small);
    // Made here: the seeded user with the fewest events may be another file's, alone in its environment.
    const other = await db
      .insertInto('users')
      .values({ tenant_id: input.tenantId, environment_id: input.environmentId, email: `other-${input.exportId}@activities.test`, name: 'Other User' })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Gone afterwards: later suites on this stack (e2e) list the environment's users.
    onTestFinished(async () => void (await db.deleteFrom('users').where('id', '=', other.id).execute()));
    const mismatched = { ...input, userId: other.id };
    const error = await new MockActivityEnvironment().run(activities.exportUserData, mismatched).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'NotFound', nonRetryable: true });
    await activities.finishExport({ ...mismatched, status: 'failed', errorSummary: 'not this row' });
    const row = await db.selectFrom('exports').selectAll().where('id', '=', input.exportId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'queued', started_at: null, object_key: null, error_summary: null });
    expect(await storedFor(input)).toEqual({ objects: [], uploads: [] });
    await activities.finishExport({ ...input, status: 'cancelled', errorSummary: null });
    expect((await db.selectFrom('exports').select('status').where('id', '=', input.exportId).executeTakeFirstOrThrow()).status).toBe('cancelled');
  });

  it("an export of another tenant's user is not found, non-retryably", async () => {
    const input = await insertQueuedExport(db, bigUser);
    const other = await db.selectFrom('environments').select(['id', 'tenant_id']).where('tenant_id', '!=', bigUser.tenant_id).executeTakeFirstOrThrow();
    const mock = new MockActivityEnvironment();
    const error = await mock.run(activities.exportUserData, { ...input, tenantId: other.tenant_id, environmentId: other.id }).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'NotFound', nonRetryable: true });
  });
});
