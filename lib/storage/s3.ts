import { S3Client } from '@aws-sdk/client-s3';
import type { SharedEnv } from '../env';

type S3Env = Pick<
  SharedEnv,
  'S3_ENDPOINT' | 'S3_PUBLIC_ENDPOINT' | 'S3_REGION' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_FORCE_PATH_STYLE'
>;

/**
 * S3 client for the server's own calls. With no endpoint and no keys it falls back to
 * the AWS SDK's defaults (AWS S3, credentials from the environment or instance role).
 */
export function createS3Client(env: S3Env, endpoint: string | undefined = env.S3_ENDPOINT): S3Client {
  return new S3Client({
    region: env.S3_REGION,
    endpoint,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    credentials:
      env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
        : undefined,
    // Retries with backoff are the SDK's; keep them few so an outage surfaces quickly
    // to the caller, which has its own retry policy.
    maxAttempts: 3,
  });
}

/** Client whose signatures are valid for the address the browser reaches. */
export function createPublicS3Client(env: S3Env): S3Client {
  return createS3Client(env, env.S3_PUBLIC_ENDPOINT ?? env.S3_ENDPOINT);
}
