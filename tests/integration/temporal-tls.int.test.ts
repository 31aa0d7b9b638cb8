import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, type SharedEnv, sharedEnvSchema } from '../../lib/env';
import type { HealthCheckResult } from '../../lib/health/health.contracts';
import { connectTemporal, temporalConnectionOptions } from '../../lib/temporal/connection';
import { createWorkers } from '../../worker/create-workers';
import { registerNamespace, type RunningTemporalServer, startTemporalServer } from '../support/temporal-server';
import { type CertificateFiles, createTestCa, type TestCa } from '../support/test-certificates';
import { quietTemporalLogs, startRealWorker } from '../support/worker';

/**
 * The real Temporal server with mTLS on its frontend (requireClientAuth) and the default
 * JWT authorizer, as a self-hosted cluster would run: the product's connection settings
 * must get through, and each missing or wrong piece must be refused with a clear error.
 */

let dir: string;
let server: RunningTemporalServer;
let ca: TestCa;
let client: CertificateFiles;
let strangerCa: TestCa;
let strangerClient: CertificateFiles;
let sign: (permissions: string[]) => Promise<string>;
let signWithStrangerKey: () => Promise<string>;

beforeAll(async () => {
  quietTemporalLogs();
  dir = await mkdtemp(path.join(tmpdir(), 'temporal-tls-'));
  ca = await createTestCa(dir, 'test-ca');
  const serverCert = await ca.issue('temporal-server', 'server', { dns: ['localhost'], ips: ['127.0.0.1'] });
  client = await ca.issue('export-console', 'client');
  strangerCa = await createTestCa(dir, 'stranger-ca');
  strangerClient = await strangerCa.issue('stranger', 'client');

  const key = await generateKeyPair('ES256', { extractable: true });
  const stranger = await generateKeyPair('ES256');
  const jwksPath = path.join(dir, 'jwks.json');
  await writeFile(jwksPath, JSON.stringify({ keys: [{ ...(await exportJWK(key.publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' }] }));
  const token = (signingKey: CryptoKey, permissions: string[]) =>
    new SignJWT({ permissions })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setSubject('export-console')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(signingKey);
  sign = (permissions) => token(key.privateKey, permissions);
  signWithStrangerKey = () => token(stranger.privateKey, ['temporal-system:admin', 'default:admin']);

  server = await startTemporalServer({ dir, tls: { ...serverCert, clientCaPath: ca.certPath }, jwksPath });
  const admin = await Connection.connect(temporalConnectionOptions(envWith({ TEMPORAL_API_KEY: await sign(['temporal-system:admin']) })));
  try {
    await registerNamespace(admin, 'default');
  } finally {
    await admin.close();
  }
}, 600_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The product's configuration for this server, through the same validation as production. */
function envWith(overrides: Record<string, string | undefined>): SharedEnv {
  return parseEnv(sharedEnvSchema, {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TLS_CA_PATH: ca.certPath,
    TEMPORAL_TLS_CERT_PATH: client.certPath,
    TEMPORAL_TLS_KEY_PATH: client.keyPath,
    TEMPORAL_TLS_SERVER_NAME: undefined,
    TEMPORAL_API_KEY: undefined,
    ...overrides,
  });
}

/** The message chain of a refused workflow start (the SDK wraps the server's answer). */
async function startFailure(client: Client): Promise<string> {
  const error = await client.workflow.start('HealthCheckWorkflow', { taskQueue: 'nobody', workflowId: `h-${randomUUID()}`, args: [{ probeId: 'x' }] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const messages: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) messages.push(e.message);
  return messages.join(' <- ');
}

describe('Temporal over mTLS with an API key, on the real server', () => {
  it('runs HealthCheckWorkflow through a real worker when CA, client certificate and key are right', async () => {
    // `write` is the least the worker and the web app need (polls and starts are writes).
    const env = envWith({ TEMPORAL_API_KEY: await sign(['default:write']) });
    const harness = await startRealWorker(env);
    try {
      const probeId = randomUUID();
      const result = (await harness.run(() =>
        harness.client.workflow.execute('HealthCheckWorkflow', {
          taskQueue: harness.env.TEMPORAL_TASK_QUEUE,
          workflowId: `health-${probeId}`,
          args: [{ probeId }],
          workflowExecutionTimeout: '60 seconds',
        }),
      )) as HealthCheckResult;
      expect(result.database.ok).toBe(true);
      expect(result.storage.roundTripBytes).toBeGreaterThan(0);
    } finally {
      await harness.close();
    }
  });

  it('the web app connection (connectTemporal) describes the namespace, with the server name given explicitly', async () => {
    const connection = await connectTemporal(envWith({ TEMPORAL_API_KEY: await sign(['default:read']), TEMPORAL_TLS_SERVER_NAME: 'localhost' }));
    try {
      const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(described.namespaceInfo?.name).toBe('default');
    } finally {
      await connection.close();
    }
  });

  it('is refused without a client certificate, saying which settings to set', async () => {
    const env = envWith({ TEMPORAL_TLS_CERT_PATH: undefined, TEMPORAL_TLS_KEY_PATH: undefined, TEMPORAL_API_KEY: await sign(['default:admin']) });
    await expect(connectTemporal(env)).rejects.toThrow(
      /refused the TLS handshake: it wants a client certificate .*TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH/,
    );
  });

  it('the worker is refused without a client certificate too', async () => {
    const env = envWith({ TEMPORAL_TLS_CERT_PATH: undefined, TEMPORAL_TLS_KEY_PATH: undefined, TEMPORAL_API_KEY: await sign(['default:admin']) });
    await expect(createWorkers({ env } as Parameters<typeof createWorkers>[0])).rejects.toThrow(/refused the TLS handshake: it wants a client certificate/);
  });

  it('is refused with a client certificate from another CA', async () => {
    const env = envWith({
      TEMPORAL_TLS_CERT_PATH: strangerClient.certPath,
      TEMPORAL_TLS_KEY_PATH: strangerClient.keyPath,
      TEMPORAL_API_KEY: await sign(['default:admin']),
    });
    await expect(connectTemporal(env)).rejects.toThrow(/refused the TLS handshake: it wants a client certificate signed by a CA it trusts/);
  });

  it('refuses a server whose CA is not TEMPORAL_TLS_CA_PATH, in the web app and in the worker', async () => {
    const env = envWith({ TEMPORAL_TLS_CA_PATH: strangerCa.certPath, TEMPORAL_API_KEY: await sign(['default:admin']) });
    const hint = new RegExp(`Temporal at ${server.address} presented a certificate this process does not trust: set TEMPORAL_TLS_CA_PATH`);
    await expect(connectTemporal(env)).rejects.toThrow(hint);
    await expect(createWorkers({ env } as Parameters<typeof createWorkers>[0])).rejects.toThrow(hint);
  });

  it('refuses a certificate for another name when TEMPORAL_TLS_SERVER_NAME says so', async () => {
    const env = envWith({ TEMPORAL_TLS_SERVER_NAME: 'temporal.example.com', TEMPORAL_API_KEY: await sign(['default:admin']) });
    await expect(connectTemporal(env)).rejects.toThrow(/presented a certificate for another name: set TEMPORAL_TLS_SERVER_NAME/);
  });

  it("says so when TLS is on for a plaintext server (the stack's dev server)", async () => {
    const env = parseEnv(sharedEnvSchema, { ...process.env, TEMPORAL_TLS: 'true' });
    await expect(connectTemporal(env)).rejects.toThrow(new RegExp(`Temporal at ${env.TEMPORAL_ADDRESS} does not speak TLS: unset TEMPORAL_TLS`));
  });

  it('refuses a namespace call with no API key, and an API key signed by a key the server does not know', async () => {
    const noKey = await connectTemporal(envWith({}));
    try {
      const client = new Client({ connection: noKey, namespace: 'default' });
      expect(await startFailure(client)).toMatch(/PERMISSION_DENIED: Request unauthorized/);
    } finally {
      await noKey.close();
    }
    await expect(connectTemporal(envWith({ TEMPORAL_API_KEY: await signWithStrangerKey() }))).rejects.toThrow(
      /refused the credentials: check TEMPORAL_API_KEY/,
    );
  });

  it('refuses an API key without permission on the namespace', async () => {
    const connection = await connectTemporal(envWith({ TEMPORAL_API_KEY: await sign(['other:admin']) }));
    try {
      const client = new Client({ connection, namespace: 'default' });
      expect(await startFailure(client)).toMatch(/PERMISSION_DENIED: Request unauthorized/);
    } finally {
      await connection.close();
    }
  });
});
