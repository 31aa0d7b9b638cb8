import { randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect } from 'vitest';
import { createDb, type Db } from '../../../lib/db/client';
import { migrateToLatest } from '../../../lib/db/migrator';
import { parseEnv, sharedEnvSchema } from '../../../lib/env';
import type { ExportDto } from '../../../lib/exports/export.contracts';
import { exportDedupeWindowMs } from '../../../lib/exports/export.service';
import { createS3Client } from '../../../lib/storage/s3';
import type { StartedChild } from '../../../scripts/lib/child-process';
import { findFreePort } from '../../../scripts/stack/index';
import { type FaultStack, startFaultStack } from './fault-stack';
import { exportRow, type FaultFixture, seedFaultFixture } from './fixtures';
import { signInSession } from './http';
import { startWeb, startWorker } from '../../support/processes';

/**
 * The production web build and a real worker on a private stack, signed in as the
 * fixture's admin, for a fault test file to break. Its fields are set in beforeAll.
 */
export interface ProductUnderFault {
  stack: FaultStack;
  db: Db;
  fixture: FaultFixture;
  temporal: Client;
  api: Awaited<ReturnType<typeof signInSession>>;
  /** Undefined while a test has stopped it; a test that stops it starts another. */
  worker: StartedChild | undefined;
  web: StartedChild;
}

/** Registers beforeAll/afterAll for a file; `bigUserEvents` sizes the fixture's big user. */
export function productUnderFault(options: { bigUserEvents?: number } = {}): ProductUnderFault {
  const product = {} as ProductUnderFault;
  beforeAll(async () => {
    product.stack = await startFaultStack();
    product.db = createDb(product.stack.env.DATABASE_URL, 4);
    await migrateToLatest(product.db);
    product.fixture = await seedFaultFixture(product.db, options.bigUserEvents);
    const port = await findFreePort();
    const webEnv = { ...product.stack.env, NEXTAUTH_SECRET: randomBytes(32).toString('hex'), NEXTAUTH_URL: `http://127.0.0.1:${port}` };
    [product.worker, product.web] = await Promise.all([startWorker(product.stack.env), startWeb(webEnv, port)]);
    product.api = await signInSession(`http://127.0.0.1:${port}`, product.fixture.adminEmail, product.fixture.password);
    product.temporal = new Client({ connection: await Connection.connect({ address: product.stack.env.TEMPORAL_ADDRESS }) });
  });
  afterAll(async () => {
    product.worker?.kill('SIGKILL');
    product.web?.kill('SIGKILL');
    await product.temporal?.connection.close();
    await product.db?.destroy();
    await product.stack?.close();
  });
  return product;
}

/**
 * A new request for the user, as an admin makes one later on: earlier exports of the user
 * are aged past the dedupe window first, or a request right after the previous test's
 * export completed would (rightly) get that export back.
 */
export async function requestExport(product: ProductUnderFault, userId: string): Promise<Response> {
  await sql`update exports set created_at = created_at - make_interval(secs => ${(exportDedupeWindowMs * 2) / 1000})
            where user_id = ${userId} and status = 'completed'`.execute(product.db);
  return product.api(`/api/users/${userId}/exports`, { method: 'POST' });
}

export async function getExport(product: ProductUnderFault, id: string): Promise<ExportDto> {
  const response = await product.api(`/api/exports/${id}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { export: ExportDto }).export;
}

export async function untilStatus(product: ProductUnderFault, id: string, status: ExportDto['status'], timeout = 240_000): Promise<ExportDto> {
  await expect.poll(async () => (await getExport(product, id)).status, { timeout, interval: 500 }).toBe(status);
  return getExport(product, id);
}

/** The export activity's retry state, as Temporal reports it while the workflow runs. */
export async function pendingExportActivity(handle: ReturnType<Client['workflow']['getHandle']>): Promise<{ attempt: number; lastFailure: string }> {
  const pending = (await handle.describe()).raw.pendingActivities?.[0];
  return { attempt: pending?.attempt ?? 0, lastFailure: pending?.lastFailure?.message ?? '' };
}

export async function untilMidExport(product: ProductUnderFault, id: string): Promise<void> {
  await expect.poll(async () => (await exportRow(product.db, id)).rows_exported, { timeout: 60_000, interval: 200 }).toBeGreaterThan(50_000);
}

export async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  const body = (await response.json()) as { error: { code: string; message: string; hint: string } };
  expect(body.error.code).toBe('unavailable');
  expect(body.error.hint.length).toBeGreaterThan(10);
}

export async function assertOneObjectNoOpenUpload(product: ProductUnderFault, exportId: string): Promise<void> {
  const { stack, fixture } = product;
  const s3 = createS3Client(parseEnv(sharedEnvSchema, stack.env));
  const prefix = `exports/${fixture.tenantId}/${fixture.environmentId}/`;
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: stack.env.S3_BUCKET, Prefix: prefix }));
  expect((objects.Contents ?? []).filter((o) => o.Key?.includes(exportId))).toHaveLength(1);
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: stack.env.S3_BUCKET, Prefix: prefix }));
  expect(uploads.Uploads ?? []).toEqual([]);
  s3.destroy();
}
