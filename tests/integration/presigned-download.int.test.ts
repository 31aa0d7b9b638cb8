import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedEnv } from '../../lib/env';
import { presignDownload } from '../../lib/storage/presign';
import { createPublicS3Client, createS3Client } from '../../lib/storage/s3';

const env = sharedEnv();
const s3 = createS3Client(env);
const key = `tests/${randomUUID()}.zip`;
const body = 'PK fake zip body';

beforeAll(async () => {
  await s3.send(new PutObjectCommand({ Bucket: env.S3_BUCKET, Key: key, Body: body }));
});
afterAll(async () => {
  await s3.send(new DeleteObjectCommand({ Bucket: env.S3_BUCKET, Key: key }));
  s3.destroy();
});

describe('presigned download on the real S3 gateway', () => {
  it('serves a signed link as an attachment', async () => {
    const url = await presignDownload(createPublicS3Client(env), {
      bucket: env.S3_BUCKET,
      key,
      fileName: 'acme-production-u-20261125T000000Z.zip',
      contentType: 'application/zip',
      ttlSeconds: 60,
    });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="acme-production-u-20261125T000000Z.zip"');
    expect(await response.text()).toBe(body);
  });

  it('refuses the same object unsigned', async () => {
    const unsigned = `${env.S3_ENDPOINT}/${env.S3_BUCKET}/${key}`;
    const response = await fetch(unsigned);
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain(body);
  });

  it('refuses an expired link', async () => {
    const url = await presignDownload(createPublicS3Client(env), {
      bucket: env.S3_BUCKET,
      key,
      fileName: 'x.zip',
      contentType: 'application/zip',
      ttlSeconds: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const response = await fetch(url);
    expect(response.status).toBe(403);
  });

  it('refuses a link whose signature was tampered with', async () => {
    const url = new URL(
      await presignDownload(createPublicS3Client(env), { bucket: env.S3_BUCKET, key, fileName: 'x.zip', contentType: 'application/zip', ttlSeconds: 60 }),
    );
    url.searchParams.set('X-Amz-Expires', '604800');
    const response = await fetch(url);
    expect(response.status).toBe(403);
  });
});
