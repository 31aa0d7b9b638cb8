import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { applyBucketLifecycle } from './bucket-lifecycle';
import { startChild } from '../lib/child-process';

/**
 * Versity S3 gateway over plain files: objects in `<dataDir>/s3-data`, metadata in a
 * sidecar dir (so the filesystem needs no xattr support).
 */

export interface S3Options {
  bin: string;
  dataDir: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  region?: string;
  log?: (line: string) => void;
  verbose?: boolean;
  timeoutMs?: number;
}

export interface RunningS3 {
  endpoint: string;
  /** The gateway's process (the fault tests stop and continue it). */
  pid: number;
  stop(): Promise<void>;
}

export async function startS3(opts: S3Options): Promise<RunningS3> {
  const endpoint = `http://127.0.0.1:${opts.port}`;
  const metaDir = path.join(opts.dataDir, 's3-meta');
  const objectDir = path.join(opts.dataDir, 's3-data');
  await Promise.all([mkdir(metaDir, { recursive: true }), mkdir(objectDir, { recursive: true })]);

  const client = new S3Client({
    endpoint,
    region: opts.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
    maxAttempts: 1, // we poll ourselves
  });
  try {
    const proc = await startChild({
      name: 's3',
      command: opts.bin,
      pidDir: opts.dataDir,
      onLine: opts.verbose ? (line) => opts.log?.(`[s3] ${line}`) : undefined,
      // --quiet: no stdout line per request unless someone is reading them.
      args: ['--port', `127.0.0.1:${opts.port}`, ...(opts.verbose ? [] : ['--quiet']), 'posix', '--sidecar', metaDir, objectDir],
      env: { ...process.env, ROOT_ACCESS_KEY: opts.accessKeyId, ROOT_SECRET_KEY: opts.secretAccessKey },
      ready: { probe: async () => Boolean(await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2000) })) },
      readyTimeoutMs: opts.timeoutMs ?? 30_000,
    });
    try {
      await createBucket(client, opts.bucket);
      if ((await applyBucketLifecycle(client, opts.bucket)) === 'unsupported' && opts.verbose) {
        opts.log?.(`s3: the gateway does not support bucket lifecycle rules; uploads a killed export left open stay until the stack's data is removed`);
      }
    } catch (err) {
      await proc.stop();
      throw err;
    }
    return { endpoint, pid: proc.pid, stop: proc.stop };
  } finally {
    client.destroy();
  }
}

async function createBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  }
}
