import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTool } from '../../../scripts/stack/binaries';
import { DEV_CREDENTIALS, findFreePort } from '../../../scripts/stack/index';
import { startPostgres, type RunningPostgres } from '../../../scripts/stack/postgres';
import { startS3, type RunningS3 } from '../../../scripts/stack/s3';
import { startTemporal, type RunningTemporal } from '../../../scripts/stack/temporal';

/**
 * A private stack per fault test file, with each service stoppable and restartable on the
 * same port and data, so a test can take one down mid-export and bring it back.
 */
type FaultEnvKey =
  | 'DATABASE_URL'
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_TASK_QUEUE'
  | 'TEMPORAL_UI_URL'
  | 'S3_ENDPOINT'
  | 'S3_PUBLIC_ENDPOINT'
  | 'S3_REGION'
  | 'S3_BUCKET'
  | 'S3_ACCESS_KEY_ID'
  | 'S3_SECRET_ACCESS_KEY'
  | 'S3_FORCE_PATH_STYLE';
export type FaultEnv = Record<FaultEnvKey, string>;

export interface FaultStack {
  env: FaultEnv;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  stopS3(): Promise<void>;
  startS3(): Promise<void>;
  /** SIGSTOP / SIGCONT the gateway: its port still accepts connections, but nothing answers. */
  pauseS3(): void;
  resumeS3(): void;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultStack(): Promise<FaultStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'export-console-faults-'));
  const [temporalBin, s3Bin] = await Promise.all([resolveTool('temporal'), resolveTool('versitygw')]);
  const picked = new Set<number>();
  const distinctPort = async (): Promise<number> => {
    let port = await findFreePort();
    while (picked.has(port)) port = await findFreePort();
    picked.add(port);
    return port;
  };
  const ports = { pg: await distinctPort(), temporal: await distinctPort(), ui: await distinctPort(), s3: await distinctPort() };
  const bucket = 'exports';

  let pg: RunningPostgres | undefined;
  let temporal: RunningTemporal | undefined;
  let s3: RunningS3 | undefined;
  const control = {
    startPostgres: async () => void (pg = await startPostgres({ dataDir, port: ports.pg, password: DEV_CREDENTIALS.postgresPassword, durable: false })),
    stopPostgres: async () => {
      await pg?.stop();
      pg = undefined;
    },
    startTemporal: async () => void (temporal = await startTemporal({ bin: temporalBin, dataDir, port: ports.temporal, uiPort: ports.ui })),
    stopTemporal: async () => {
      await temporal?.stop();
      temporal = undefined;
    },
    startS3: async () =>
      void (s3 = await startS3({
        bin: s3Bin,
        dataDir,
        port: ports.s3,
        bucket,
        accessKeyId: DEV_CREDENTIALS.s3AccessKeyId,
        secretAccessKey: DEV_CREDENTIALS.s3SecretAccessKey,
      })),
    stopS3: async () => {
      await s3?.stop();
      s3 = undefined;
    },
    pauseS3: () => void process.kill(s3!.pid, 'SIGSTOP'),
    resumeS3: () => void (s3 && process.kill(s3.pid, 'SIGCONT')),
  };
  // A service that fails to start must not leave the others running (CI once found an orphaned gateway).
  const started = await Promise.allSettled([control.startPostgres(), control.startTemporal(), control.startS3()]);
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.allSettled([control.stopPostgres(), control.stopTemporal(), control.stopS3()]);
    await rm(dataDir, { recursive: true, force: true });
    throw failure.reason;
  }

  const env: FaultEnv = {
    DATABASE_URL: pg!.url,
    TEMPORAL_ADDRESS: temporal!.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'user-export',
    TEMPORAL_UI_URL: temporal!.uiUrl,
    S3_ENDPOINT: s3!.endpoint,
    S3_PUBLIC_ENDPOINT: s3!.endpoint,
    S3_REGION: 'us-east-1',
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: DEV_CREDENTIALS.s3AccessKeyId,
    S3_SECRET_ACCESS_KEY: DEV_CREDENTIALS.s3SecretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  };
  return {
    env,
    ...control,
    async close() {
      await Promise.all([control.stopPostgres(), control.stopTemporal(), control.stopS3()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
