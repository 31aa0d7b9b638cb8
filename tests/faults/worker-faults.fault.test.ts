import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../lib/db/client';
import { migrateToLatest } from '../../lib/db/migrator';
import { parseEnv, sharedEnvSchema } from '../../lib/env';
import { createS3Client } from '../../lib/storage/s3';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { exportRow, seedFaultFixture, startExport, type FaultFixture } from './support/fixtures';
import type { StartedChild } from '../../scripts/lib/child-process';
import { startWorker } from '../support/processes';
import { saveHistory } from '../support/histories';

let stack: FaultStack;
let db: Db;
let fixture: FaultFixture;
let client: Client;
const workers: StartedChild[] = [];

beforeAll(async () => {
  stack = await startFaultStack();
  db = createDb(stack.env.DATABASE_URL, 4);
  await migrateToLatest(db);
  fixture = await seedFaultFixture(db);
  client = new Client({ connection: await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS }) });
});

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await client?.connection.close();
  await db?.destroy();
  await stack?.close();
});

async function spawnWorker(): Promise<StartedChild> {
  const worker = await startWorker(stack.env);
  workers.push(worker);
  return worker;
}

/**
 * Waits until half the rows are out: past the first 8 MiB parts, so a multipart upload is
 * open on S3 when the worker dies (lib-storage starts one only once a part is full).
 */
async function untilMidExport(exportId: string): Promise<void> {
  await expect.poll(async () => (await exportRow(db, exportId)).rows_exported, { timeout: 60_000, interval: 100 }).toBeGreaterThan(fixture.bigUserEvents / 2);
}

/** The export's prefix holds the row's object and nothing else: no other attempt's object, no open upload. */
async function assertSingleCompleteObject(prefix: string, exportId: string): Promise<void> {
  const s3 = createS3Client(parseEnv(sharedEnvSchema, stack.env));
  const { object_key: objectKey } = await exportRow(db, exportId);
  expect(objectKey?.startsWith(prefix)).toBe(true);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.env.S3_BUCKET, Prefix: prefix }));
  expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([objectKey]);
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: stack.env.S3_BUCKET, Prefix: prefix }));
  expect(uploads.Uploads ?? []).toEqual([]);
  s3.destroy();
}

describe('worker faults mid-export', () => {
  it('SIGKILL: a new worker finishes the export; one object, right row count, no open upload', async () => {
    const doomed = await spawnWorker();
    const started = await startExport(db, client, fixture, fixture.bigUserId);
    await untilMidExport(started.exportId);
    doomed.kill('SIGKILL');
    await doomed.exited;

    await spawnWorker();
    // Noticed by the 30 s heartbeat timeout, retried after 5 s on the new worker.
    const result = await client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ status: 'completed' });
    const row = await exportRow(db, started.exportId);
    expect(row).toMatchObject({ status: 'completed', rows_exported: fixture.bigUserEvents });
    await assertSingleCompleteObject(started.objectPrefix, started.exportId);
    await saveHistory(client, started.workflowId, 'worker-sigkill');
    for (const w of workers.splice(0)) {
      w.kill('SIGTERM');
      await w.exited;
    }
  });

  it('SIGTERM: the worker drains or hands over and exits cleanly; the export completes once', async () => {
    const leaving = await spawnWorker();
    const started = await startExport(db, client, fixture, fixture.bigUserId);
    await untilMidExport(started.exportId);
    leaving.kill('SIGTERM');
    const successor = await spawnWorker();
    expect(await leaving.exited).toEqual({ code: 0, signal: null });

    const result = await client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ status: 'completed' });
    expect((await exportRow(db, started.exportId)).status).toBe('completed');
    await assertSingleCompleteObject(started.objectPrefix, started.exportId);
    await saveHistory(client, started.workflowId, 'worker-sigterm');
    successor.kill('SIGTERM');
    expect(await successor.exited).toEqual({ code: 0, signal: null });
  });
});
