import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import type { Db } from '../../lib/db/client';
import type { HealthCheckInput, HealthCheckResult } from '../../lib/health/health.contracts';

export interface HealthDeps {
  db: Db;
  s3: S3Client;
  bucket: string;
}

/** Activities that touch every real dependency of the export path: Postgres and S3. */
export function createHealthActivities({ db, s3, bucket }: HealthDeps) {
  return {
    async checkDependencies(input: HealthCheckInput): Promise<HealthCheckResult> {
      const { rows } = await sql<{ server_version: string }>`show server_version`.execute(db);
      const serverVersion = rows[0]?.server_version ?? 'unknown';

      const key = `health/${input.probeId}.txt`;
      const body = `probe ${input.probeId}`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const readBack = await object.Body?.transformToString();
        if (readBack !== body) {
          throw ApplicationFailure.nonRetryable(`storage returned ${readBack?.length ?? 0} bytes that differ from the probe written`);
        }
      } finally {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }
      return {
        database: { ok: true, serverVersion },
        storage: { ok: true, roundTripBytes: Buffer.byteLength(body) },
      };
    },
  };
}

export type HealthActivities = ReturnType<typeof createHealthActivities>;
