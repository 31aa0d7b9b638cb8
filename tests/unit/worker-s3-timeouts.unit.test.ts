import { createServer, type Server, type Socket } from 'node:net';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, createWorkerS3Client, workerS3Timeouts } from '../../lib/storage/s3';

const env = {
  S3_REGION: 'us-east-1',
  S3_ACCESS_KEY_ID: 'a',
  S3_SECRET_ACCESS_KEY: 'b',
  S3_FORCE_PATH_STYLE: true,
  S3_ENDPOINT: undefined,
  S3_PUBLIC_ENDPOINT: undefined,
};

/** The options the client's node handler was built with (resolved lazily by smithy). */
async function handlerOptions(client: ReturnType<typeof createS3Client>): Promise<Record<string, unknown>> {
  return (client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider;
}

// A gateway that accepts connections and never answers: a stalled S3.
let silent: Server;
let endpoint: string;
const sockets: Socket[] = [];
beforeAll(async () => {
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe('worker S3 client timeouts', () => {
  it('has connection, idle-socket and whole-request timeouts, and a breached request timeout throws', async () => {
    const client = createWorkerS3Client(env);
    expect(await handlerOptions(client)).toMatchObject(workerS3Timeouts);
    expect(workerS3Timeouts.connectionTimeout).toBeLessThanOrEqual(5_000);
    // Under the activity's 30 s heartbeat timeout, so one stalled request fails in time.
    expect(workerS3Timeouts.socketTimeout).toBeLessThan(30_000);
    client.destroy();
  });

  it('a request to a gateway that never answers fails with a TimeoutError once the socket idles', async () => {
    // The worker's handler options with the idle limit scaled down, one attempt.
    const client = createS3Client({ ...env, S3_ENDPOINT: endpoint }, endpoint, { requestHandler: { ...workerS3Timeouts, socketTimeout: 300 } });
    const started = Date.now();
    const error = await client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })).catch((e: unknown) => e);
    client.destroy();
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
