import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { applyBucketLifecycle } from '../../scripts/stack/bucket-lifecycle';

/** A client that never reaches the network: `answer` plays the gateway. */
function fakeGateway(answer: (input: unknown) => unknown): { client: S3Client; sent: Array<{ command: string; input: unknown }> } {
  const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  const sent: Array<{ command: string; input: unknown }> = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      sent.push({ command: context.commandName ?? '?', input: args.input });
      return { output: answer(args.input) as never, response: {} };
    },
    { step: 'initialize', name: 'fakeGateway' },
  );
  return { client, sent };
}

describe('bucket lifecycle of the local stack', () => {
  it('asks the bucket to abort incomplete export uploads after a day', async () => {
    const { client, sent } = fakeGateway(() => ({ $metadata: {} }));
    expect(await applyBucketLifecycle(client, 'exports-bucket')).toBe('set');
    expect(sent).toEqual([
      {
        command: 'PutBucketLifecycleConfigurationCommand',
        input: {
          Bucket: 'exports-bucket',
          LifecycleConfiguration: {
            Rules: [expect.objectContaining({ Status: 'Enabled', Filter: { Prefix: 'exports/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })],
          },
        },
      },
    ]);
  });

  it('reports a gateway without lifecycle support (versitygw posix: 501) instead of failing the start', async () => {
    const { client } = fakeGateway(() => {
      throw Object.assign(new Error('not implemented'), { name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
    });
    expect(await applyBucketLifecycle(client, 'b')).toBe('unsupported');
  });

  it('fails the start on any other error', async () => {
    const { client } = fakeGateway(() => {
      throw Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    });
    await expect(applyBucketLifecycle(client, 'b')).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
