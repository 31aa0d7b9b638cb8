import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { SharedEnv } from '../env';

type S3Env = Pick<SharedEnv, 'S3_ENDPOINT' | 'S3_PUBLIC_ENDPOINT' | 'S3_REGION' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_FORCE_PATH_STYLE'>;

/**
 * S3 client for the server's own calls. With no endpoint and no keys it falls back to
 * the AWS SDK's defaults (AWS S3, credentials from the environment or instance role).
 */
export function createS3Client(
  env: S3Env,
  endpoint: string | undefined = env.S3_ENDPOINT,
  options: { patient?: boolean; requestHandler?: S3ClientConfig['requestHandler'] } = {},
): S3Client {
  return new S3Client({
    region: env.S3_REGION,
    endpoint,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    credentials:
      env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY } : undefined,
    // The web app keeps the SDK's few quick retries so an outage surfaces as a prompt 503.
    ...(options.patient ? patientRetries : { maxAttempts: 3 }),
    requestHandler: options.requestHandler,
  });
}

/** Client whose signatures are valid for the address the browser reaches. */
export function createPublicS3Client(env: S3Env): S3Client {
  return createS3Client(env, env.S3_PUBLIC_ENDPOINT ?? env.S3_ENDPOINT);
}

/**
 * For the worker: each S3 call retries for about 45 s (1, 2, 4, 8, 8, 8, 8, 8 s) before
 * failing, so a short storage outage is ridden out inside one activity attempt while the
 * activity keeps heartbeating; a longer one fails the attempt and Temporal retries.
 */
const patientRetries = {
  retryStrategy: new ConfiguredRetryStrategy(9, (attempt: number) => Math.min(8_000, 1_000 * 2 ** (attempt - 1))),
};

/**
 * The worker's socket limits. Smithy's defaults have none, so a half-open connection
 * during UploadPart hung the attempt while its heartbeat kept it alive. A connection gets
 * 3 s; a socket with no byte either way for 20 s is dead (while a part uploads bytes keep
 * flowing, and S3 answers within seconds once a body is in); any one request gets 120 s,
 * an 8 MiB part at 70 KB/s. Each timeout is a retryable TimeoutError for patientRetries.
 */
export const workerS3Timeouts = {
  connectionTimeout: 3_000,
  socketTimeout: 20_000,
  requestTimeout: 120_000,
  // Without it a breached requestTimeout is only logged.
  throwOnRequestTimeout: true,
} as const;

/** The worker's S3 client: patient retries, and timeouts so a stalled request fails. */
export function createWorkerS3Client(env: S3Env): S3Client {
  return createS3Client(env, env.S3_ENDPOINT, { patient: true, requestHandler: workerS3Timeouts });
}
