import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseEnv, sharedEnvSchema } from '../../lib/env';
import { presignDownload } from '../../lib/storage/presign';
import { createPublicS3Client } from '../../lib/storage/s3';

/**
 * With no S3 keys, the S3 client takes the AWS SDK's default chain, which on Kubernetes
 * (IRSA, EKS Pod Identity's web-identity form) exchanges a projected token file for
 * temporary credentials at STS. versitygw has no STS, so a fake STS here answers
 * AssumeRoleWithWebIdentity; the test checks what the chain sent and that a presigned URL
 * carries (and signs) the session token it got back.
 */

let dir: string;
let sts: Server;
let stsUrl: string;
const seen: URLSearchParams[] = [];

const stsAnswer = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Credentials>
      <AccessKeyId>ASIAWEBIDENTITYTEST</AccessKeyId>
      <SecretAccessKey>web-identity-secret</SecretAccessKey>
      <SessionToken>session-token-from-sts</SessionToken>
      <Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/exports/test</Arn><AssumedRoleId>AROA:test</AssumedRoleId></AssumedRoleUser>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'web-identity-'));
  sts = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      // The SDK's STS client posts a form; older ones put the same fields in the query.
      const params = new URLSearchParams(body || (req.url ?? '').split('?')[1]);
      seen.push(params);
      res.writeHead(200, { 'content-type': 'text/xml' }).end(stsAnswer);
    });
  });
  await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
  stsUrl = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => sts.close(resolve));
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('S3 credentials from web identity (no S3 keys set)', () => {
  it('exchanges the token file at STS and signs presigned URLs with the session token', async () => {
    const tokenFile = path.join(dir, 'token');
    await writeFile(tokenFile, 'projected-service-account-token');
    // Only the chain's own variables: nothing else may supply credentials.
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) vi.stubEnv(name, undefined);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', path.join(dir, 'none'));
    vi.stubEnv('AWS_CONFIG_FILE', path.join(dir, 'none'));
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    vi.stubEnv('AWS_WEB_IDENTITY_TOKEN_FILE', tokenFile);
    vi.stubEnv('AWS_ROLE_ARN', 'arn:aws:iam::123456789012:role/exports');
    vi.stubEnv('AWS_ROLE_SESSION_NAME', 'export-console-test');
    vi.stubEnv('AWS_ENDPOINT_URL_STS', stsUrl);

    const env = parseEnv(sharedEnvSchema, {
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      S3_BUCKET: 'exports',
      S3_REGION: 'eu-west-1',
    });
    const client = createPublicS3Client(env);
    const url = new URL(
      await presignDownload(client, { bucket: 'exports', key: 'a/b.zip', fileName: 'b.zip', contentType: 'application/zip', ttlSeconds: 60 }),
    );
    client.destroy();

    expect(seen).toHaveLength(1);
    expect(Object.fromEntries(seen[0]!)).toMatchObject({
      Action: 'AssumeRoleWithWebIdentity',
      RoleArn: 'arn:aws:iam::123456789012:role/exports',
      RoleSessionName: 'export-console-test',
      WebIdentityToken: 'projected-service-account-token',
    });
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^ASIAWEBIDENTITYTEST\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session-token-from-sts');
  });
});
