import { randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDb, type Db } from '../../lib/db/client';
import { migrateToLatest } from '../../lib/db/migrator';
import { parseEnv, sharedEnvSchema } from '../../lib/env';
import type { ExportDto } from '../../lib/exports/export.contracts';
import { exportDedupeWindowMs } from '../../lib/exports/export.service';
import { createS3Client } from '../../lib/storage/s3';
import { findFreePort } from '../../scripts/stack/index';
import { saveHistory } from '../support/histories';
import { internalDetailPattern } from '../support/internal-detail';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { exportRow, seedFaultFixture, type FaultFixture } from './support/fixtures';
import { signInSession } from './support/http';
import type { StartedChild } from '../../scripts/lib/child-process';
import { startWeb, startWorker } from '../support/processes';

/**
 * Dependencies failing under a running product: the production web build and a real
 * worker on a private stack whose Temporal, S3 and Postgres are stopped and restarted.
 * Every fault must end in a state the user can see, never a hang.
 */
let stack: FaultStack;
let db: Db;
let fixture: FaultFixture;
let worker: StartedChild | undefined;
let web: StartedChild;
let api: Awaited<ReturnType<typeof signInSession>>;
let temporal: Client;

beforeAll(async () => {
  stack = await startFaultStack();
  db = createDb(stack.env.DATABASE_URL, 4);
  await migrateToLatest(db);
  fixture = await seedFaultFixture(db);
  const port = await findFreePort();
  const webEnv = { ...stack.env, NEXTAUTH_SECRET: randomBytes(32).toString('hex'), NEXTAUTH_URL: `http://127.0.0.1:${port}` };
  [worker, web] = await Promise.all([startWorker(stack.env), startWeb(webEnv, port)]);
  api = await signInSession(`http://127.0.0.1:${port}`, fixture.adminEmail, fixture.password);
  temporal = new Client({ connection: await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS }) });
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  web?.kill('SIGKILL');
  await temporal?.connection.close();
  await db?.destroy();
  await stack?.close();
});

/**
 * A new request for the user, as an admin makes one later on: earlier exports of the user
 * are aged past the dedupe window first, or a request right after the previous test's
 * export completed would (rightly) get that export back.
 */
async function requestExport(userId: string): Promise<Response> {
  await sql`update exports set created_at = created_at - make_interval(secs => ${(exportDedupeWindowMs * 2) / 1000})
            where user_id = ${userId} and status = 'completed'`.execute(db);
  return api(`/api/users/${userId}/exports`, { method: 'POST' });
}

async function getExport(id: string): Promise<ExportDto> {
  const response = await api(`/api/exports/${id}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { export: ExportDto }).export;
}

async function untilStatus(id: string, status: ExportDto['status'], timeout = 240_000): Promise<ExportDto> {
  await expect.poll(async () => (await getExport(id)).status, { timeout, interval: 500 }).toBe(status);
  return getExport(id);
}

/** The export activity's retry state, as Temporal reports it while the workflow runs. */
async function pendingExportActivity(handle: ReturnType<Client['workflow']['getHandle']>): Promise<{ attempt: number; lastFailure: string }> {
  const pending = (await handle.describe()).raw.pendingActivities?.[0];
  return { attempt: pending?.attempt ?? 0, lastFailure: pending?.lastFailure?.message ?? '' };
}

async function untilMidExport(id: string): Promise<void> {
  await expect.poll(async () => (await exportRow(db, id)).rows_exported, { timeout: 60_000, interval: 200 }).toBeGreaterThan(50_000);
}

async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  const body = (await response.json()) as { error: { code: string; message: string; hint: string } };
  expect(body.error.code).toBe('unavailable');
  expect(body.error.hint.length).toBeGreaterThan(10);
}

async function assertOneObjectNoOpenUpload(exportId: string): Promise<void> {
  const s3 = createS3Client(parseEnv(sharedEnvSchema, stack.env));
  const prefix = `exports/${fixture.tenantId}/${fixture.environmentId}/`;
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: stack.env.S3_BUCKET, Prefix: prefix }));
  expect((objects.Contents ?? []).filter((o) => o.Key?.includes(exportId))).toHaveLength(1);
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: stack.env.S3_BUCKET, Prefix: prefix }));
  expect(uploads.Uploads ?? []).toEqual([]);
  s3.destroy();
}

describe('dependency faults', () => {
  it('Postgres restarted: the API answers 503 with a hint meanwhile, then recovers', async () => {
    await stack.stopPostgres();
    await expectUnavailable(await api('/api/exports'));
    const health = await api('/api/health');
    expect(health.status).toBe(503);
    expect(((await health.json()) as { checks: { database: { ok: boolean } } }).checks.database.ok).toBe(false);
    await stack.startPostgres();
    await expect.poll(async () => (await api('/api/exports')).status, { timeout: 30_000 }).toBe(200);
  });

  it('Temporal restarted mid-export: starts answer 503 meanwhile, and the export still finishes', async () => {
    const accepted = await requestExport(fixture.bigUserId);
    expect(accepted.status).toBe(202);
    const { export: big } = (await accepted.json()) as { export: ExportDto };
    await untilMidExport(big.id);

    await stack.stopTemporal();
    const refused = await requestExport(fixture.smallUserId);
    await expectUnavailable(refused);
    // The refused request leaves a failed export with a reason, never a stuck `queued` row.
    const smallRows = await db.selectFrom('exports').select(['status', 'error_summary']).where('user_id', '=', fixture.smallUserId).execute();
    expect(smallRows).toEqual([{ status: 'failed', error_summary: expect.stringMatching(/could not be started/) }]);
    // Reading an export never depends on Temporal (the worker may even finish meanwhile).
    expect(['running', 'completed']).toContain((await getExport(big.id)).status);

    await stack.startTemporal();
    const done = await untilStatus(big.id, 'completed');
    expect(done.progress).toEqual({ rowsExported: fixture.bigUserEvents, rowsTotal: fixture.bigUserEvents });
    await assertOneObjectNoOpenUpload(big.id);
    await saveHistory(temporal, big.workflowId, 'temporal-restart');
  });

  it('S3 unreachable for ~20 s mid-export: the export recovers and completes once', async () => {
    const accepted = await requestExport(fixture.bigUserId);
    expect(accepted.status).toBe(202);
    const { export: big } = (await accepted.json()) as { export: ExportDto };
    await untilMidExport(big.id);
    await stack.stopS3();
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    expect((await getExport(big.id)).status).toBe('running');
    await stack.startS3();
    const done = await untilStatus(big.id, 'completed');
    expect(done.progress.rowsExported).toBe(fixture.bigUserEvents);
    await assertOneObjectNoOpenUpload(big.id);
    await saveHistory(temporal, big.workflowId, 's3-brief-outage');
  });

  it('S3 gone for good: the export ends failed with a readable summary after its retries', async () => {
    await stack.stopS3();
    try {
      const accepted = await requestExport(fixture.smallUserId);
      expect(accepted.status).toBe(202);
      const { export: small } = (await accepted.json()) as { export: ExportDto };
      const failed = await untilStatus(small.id, 'failed', 400_000);
      expect(failed.errorSummary).toMatch(/^The export failed after 3 attempts because file storage was unreachable\. Request it again/);
      // Viewers read this too: no socket code, address or port (the detail stays in Temporal).
      expect(failed.errorSummary).not.toMatch(internalDetailPattern);
      // The row first, then Temporal's own status says the same (an operator filters on Failed).
      await expect.poll(async () => (await temporal.workflow.getHandle(small.workflowId).describe()).status.name, { timeout: 30_000 }).toBe('FAILED');
      await saveHistory(temporal, small.workflowId, 's3-gone');
    } finally {
      await stack.startS3();
    }
  });

  it('S3 stops answering (SIGSTOP) mid-upload: the attempt gives up in under 60 s, is retried, and completes after SIGCONT', async () => {
    const accepted = await requestExport(fixture.bigUserId);
    expect(accepted.status).toBe(202);
    const { export: big } = (await accepted.json()) as { export: ExportDto };
    await untilMidExport(big.id);
    const handle = temporal.workflow.getHandle(big.workflowId);
    stack.pauseS3();
    const pausedAt = Date.now();
    let retried: Awaited<ReturnType<typeof pendingExportActivity>>;
    try {
      // Connections are still accepted (the kernel's backlog), so only a timeout can end the attempt.
      await expect.poll(async () => (retried = await pendingExportActivity(handle)).attempt, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(2);
      expect(Date.now() - pausedAt).toBeLessThan(60_000);
      expect(retried!.lastFailure).toMatch(/Stalled: The export made no progress for \d+ s while waiting on S3|Heartbeat/i);
      expect((await getExport(big.id)).status).toBe('running');
    } finally {
      stack.resumeS3();
    }
    const done = await untilStatus(big.id, 'completed');
    expect(done.progress.rowsExported).toBe(fixture.bigUserEvents);
    await assertOneObjectNoOpenUpload(big.id);
    await saveHistory(temporal, big.workflowId, 's3-paused');
  });

  it('S3 stopped (SIGSTOP) for good: every attempt stalls out, and the export ends failed with the storage summary', async () => {
    stack.pauseS3();
    try {
      const accepted = await requestExport(fixture.smallUserId);
      expect(accepted.status).toBe(202);
      const { export: small } = (await accepted.json()) as { export: ExportDto };
      // Three attempts of ~30-40 s each, 5 s and 10 s apart: a hang never outlasts them.
      const failed = await untilStatus(small.id, 'failed', 240_000);
      expect(failed.errorSummary).toMatch(/^The export failed after 3 attempts because file storage was unreachable\. Request it again/);
      expect(failed.errorSummary).not.toMatch(internalDetailPattern);
      await expect.poll(async () => (await temporal.workflow.getHandle(small.workflowId).describe()).status.name, { timeout: 30_000 }).toBe('FAILED');
    } finally {
      stack.resumeS3();
    }
  });

  it('every worker stopped: health says no worker, exports stay queued, then finish when one returns', async () => {
    worker!.kill('SIGTERM');
    expect(await worker!.exited).toEqual({ code: 0, signal: null });
    worker = undefined;
    const accepted = await requestExport(fixture.smallUserId);
    expect(accepted.status).toBe(202);
    const { export: queued } = (await accepted.json()) as { export: ExportDto };

    // Temporal lists a dead poller for minutes; health judges by its last poll time.
    await expect
      .poll(async () => ((await (await api('/api/health')).json()) as { checks: { worker: { ok: boolean } } }).checks.worker.ok, {
        timeout: 150_000,
        interval: 2_000,
      })
      .toBe(false);
    expect((await getExport(queued.id)).status).toBe('queued');

    worker = await startWorker(stack.env);
    await untilStatus(queued.id, 'completed', 120_000);
    await expect
      .poll(async () => ((await (await api('/api/health')).json()) as { checks: { worker: { ok: boolean } } }).checks.worker.ok, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toBe(true);
  });
});
