import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, sharedEnvSchema, webEnvSchema } from '../../lib/env';
import { problemsOf, validEnv as valid } from '../support/env-fixtures';
import { temporalConnectionOptions } from '../../lib/temporal/connection';
import { type CertificateFiles, createTestCa, type TestCa } from '../support/test-certificates';

let dir: string;
let ca: TestCa;
let client: CertificateFiles;
let other: CertificateFiles;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'env-tls-'));
  ca = await createTestCa(dir, 'ca');
  client = await ca.issue('client', 'client');
  other = await ca.issue('other', 'client');
  await writeFile(path.join(dir, 'not-pem.txt'), 'just some text\n');
  await writeFile(path.join(dir, 'broken.crt'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Temporal TLS settings', () => {
  it('reads the CA, the client pair and the server name into the connection options', () => {
    const env = parseEnv(sharedEnvSchema, {
      ...valid,
      TEMPORAL_TLS_CA_PATH: ca.certPath,
      TEMPORAL_TLS_CERT_PATH: client.certPath,
      TEMPORAL_TLS_KEY_PATH: client.keyPath,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const { tls } = temporalConnectionOptions(env);
    expect(tls?.serverNameOverride).toBe('temporal.internal');
    expect(tls?.serverRootCACertificate?.toString()).toContain('-----BEGIN CERTIFICATE-----');
    expect(tls?.clientCertPair?.crt.toString()).toContain('-----BEGIN CERTIFICATE-----');
    expect(tls?.clientCertPair?.key.toString()).toContain('PRIVATE KEY-----');
  });

  it('turns TLS on for any TLS setting or an API key, and leaves it off otherwise', () => {
    expect(temporalConnectionOptions(parseEnv(sharedEnvSchema, valid)).tls).toBeUndefined();
    expect(temporalConnectionOptions(parseEnv(sharedEnvSchema, { ...valid, TEMPORAL_TLS: 'true' })).tls).toEqual({});
    expect(temporalConnectionOptions(parseEnv(sharedEnvSchema, { ...valid, TEMPORAL_TLS_CA_PATH: ca.certPath })).tls).toBeDefined();
    const withKey = temporalConnectionOptions(parseEnv(sharedEnvSchema, { ...valid, TEMPORAL_API_KEY: 'k' }));
    expect(withKey).toMatchObject({ tls: {}, apiKey: 'k' });
  });

  it('refuses a client certificate without its key, and a key without its certificate', () => {
    expect(problemsOf(() => parseEnv(sharedEnvSchema, { ...valid, TEMPORAL_TLS_CERT_PATH: client.certPath }))).toEqual([
      'TEMPORAL_TLS_KEY_PATH is required when TEMPORAL_TLS_CERT_PATH is set: the client certificate for mTLS needs its private key',
    ]);
    expect(problemsOf(() => parseEnv(webEnvSchema, { ...valid, NEXTAUTH_SECRET: 'x'.repeat(32), TEMPORAL_TLS_KEY_PATH: client.keyPath }))).toEqual([
      'TEMPORAL_TLS_CERT_PATH is required when TEMPORAL_TLS_KEY_PATH is set: the client certificate for mTLS needs its private key',
    ]);
  });

  it('names an unreadable file, a file that is not PEM, a PEM that does not parse and a key of another certificate', () => {
    const problems = problemsOf(() =>
      parseEnv(sharedEnvSchema, {
        ...valid,
        TEMPORAL_TLS_CA_PATH: path.join(dir, 'missing.crt'),
        TEMPORAL_TLS_CERT_PATH: path.join(dir, 'not-pem.txt'),
        TEMPORAL_TLS_KEY_PATH: client.certPath,
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS_CA_PATH cannot be read \(ENOENT .*missing\.crt\): check the path/),
      expect.stringMatching(/^TEMPORAL_TLS_CERT_PATH is not a PEM certificate \(.*not-pem\.txt has no "-----BEGIN CERTIFICATE-----" block\)/),
      expect.stringMatching(/^TEMPORAL_TLS_KEY_PATH is not a PEM private key \(.*client\.crt has no "PRIVATE KEY-----" block\)/),
    ]);
    expect(problemsOf(() => parseEnv(sharedEnvSchema, { ...valid, TEMPORAL_TLS_CA_PATH: path.join(dir, 'broken.crt') }))).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS_CA_PATH holds a PEM certificate that does not parse \(.*broken\.crt: /),
    ]);
    expect(problemsOf(() => parseEnv(sharedEnvSchema, { ...valid, TEMPORAL_TLS_CERT_PATH: client.certPath, TEMPORAL_TLS_KEY_PATH: other.keyPath }))).toEqual([
      'TEMPORAL_TLS_KEY_PATH is not the private key of the certificate (subject CN=client) in TEMPORAL_TLS_CERT_PATH',
    ]);
  });

  it('refuses a server name that is not a host name', () => {
    expect(problemsOf(() => parseEnv(sharedEnvSchema, { ...valid, TEMPORAL_TLS_SERVER_NAME: 'https://temporal:7233' }))).toEqual([
      'TEMPORAL_TLS_SERVER_NAME must be a host name, e.g. temporal.internal',
    ]);
  });
});

describe('S3 keys', () => {
  it('refuses half a key pair, naming the missing half', () => {
    expect(problemsOf(() => parseEnv(sharedEnvSchema, { ...valid, S3_ACCESS_KEY_ID: 'AKIA' }))).toEqual([
      "S3_SECRET_ACCESS_KEY is required when S3_ACCESS_KEY_ID is set: set both, or neither to use the AWS SDK's default credentials (AWS_* variables, profile, role)",
    ]);
    expect(problemsOf(() => parseEnv(sharedEnvSchema, { ...valid, S3_SECRET_ACCESS_KEY: 'secret' }))).toEqual([
      "S3_ACCESS_KEY_ID is required when S3_SECRET_ACCESS_KEY is set: set both, or neither to use the AWS SDK's default credentials (AWS_* variables, profile, role)",
    ]);
  });

  it('accepts both keys or neither', () => {
    expect(parseEnv(sharedEnvSchema, { ...valid, S3_ACCESS_KEY_ID: 'AKIA', S3_SECRET_ACCESS_KEY: 'secret' }).S3_ACCESS_KEY_ID).toBe('AKIA');
    expect(parseEnv(sharedEnvSchema, valid).S3_ACCESS_KEY_ID).toBeUndefined();
  });
});
