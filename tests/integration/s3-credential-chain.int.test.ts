import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UserExportResult } from '../../lib/exports/export.contracts';
import { downloadUrl } from '../../lib/exports/export.service';
import { sharedEnv } from '../../lib/env';
import { createS3Client } from '../../lib/storage/s3';
import { insertQueuedExport, pickSeededUser } from '../support/export-fixtures';
import { startRealWorker } from '../support/worker';

/**
 * On AWS an operator sets no S3 keys: the SDK's default chain finds credentials in the
 * standard AWS_* variables or a shared credentials file and profile. Here the stack's
 * versitygw keys move from S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY to each of those places
 * in turn, and a real export (worker → S3) and its presigned download (web) must work.
 */

const stackKeys = { id: process.env.S3_ACCESS_KEY_ID, secret: process.env.S3_SECRET_ACCESS_KEY };
let dir: string;

beforeAll(async () => {
  if (!stackKeys.id || !stackKeys.secret) throw new Error('expected the test stack to set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
  dir = await mkdtemp(path.join(tmpdir(), 's3-chain-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** No S3 keys and no other credential source, so each test's one source is the only one. */
function onlyTheChain(): void {
  vi.stubEnv('S3_ACCESS_KEY_ID', undefined);
  vi.stubEnv('S3_SECRET_ACCESS_KEY', undefined);
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN']) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', path.join(dir, 'no-credentials'));
  vi.stubEnv('AWS_CONFIG_FILE', path.join(dir, 'no-config'));
  // No instance metadata service here: fail at once instead of after its timeouts.
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
}

/** A real export through the production worker, then the web app's presigned download of it. */
async function exportAndDownload(): Promise<void> {
  const harness = await startRealWorker();
  expect(harness.env.S3_ACCESS_KEY_ID).toBeUndefined();
  try {
    const user = await pickSeededUser(harness.db, 10, 2000);
    const input = await insertQueuedExport(harness.db, user);
    const result = (await harness.run(() =>
      harness.client.workflow.execute('UserExportWorkflow', {
        taskQueue: harness.env.TEMPORAL_TASK_QUEUE,
        workflowId: `user-export-${input.exportId}`,
        args: [input],
      }),
    )) as UserExportResult;
    expect(result.status).toBe('completed');
    const row = await harness.db.selectFrom('exports').selectAll().where('id', '=', input.exportId).executeTakeFirstOrThrow();

    const scope = { tenantId: input.tenantId, environmentId: input.environmentId };
    const url = await downloadUrl(scope, { id: user.admin_id, origin: { clientAddress: '203.0.113.9', userAgent: 'CredentialChainTest/1.0' } }, input.exportId);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.length).toBe(row.bytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(row.sha256);
  } finally {
    await harness.close();
  }
}

describe("S3 through the AWS SDK's default credential chain, on the real gateway", () => {
  it('has nothing to sign with when no source is set (the control)', async () => {
    onlyTheChain();
    const s3 = createS3Client(sharedEnv());
    await expect(s3.send(new HeadBucketCommand({ Bucket: sharedEnv().S3_BUCKET }))).rejects.toThrow(/Could not load credentials from any providers/);
    s3.destroy();
  });

  it('exports and downloads with the keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', async () => {
    onlyTheChain();
    vi.stubEnv('AWS_ACCESS_KEY_ID', stackKeys.id);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', stackKeys.secret);
    await exportAndDownload();
  });

  it('exports and downloads with a shared credentials file and AWS_PROFILE', async () => {
    onlyTheChain();
    const credentials = path.join(dir, 'credentials');
    // The default profile's keys are wrong: only the named profile can make this pass.
    await writeFile(
      credentials,
      `[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n[exports]\naws_access_key_id = ${stackKeys.id}\naws_secret_access_key = ${stackKeys.secret}\n`,
    );
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', credentials);
    vi.stubEnv('AWS_PROFILE', 'exports');
    await exportAndDownload();
  });
});
