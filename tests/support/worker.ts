import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { createPool, dbFromPool, type Db } from '../../lib/db/client';
import { sharedEnv, type SharedEnv } from '../../lib/env';
import { createS3Client } from '../../lib/storage/s3';
import { temporalConnectionOptions } from '../../lib/temporal/connection';
import { createWorkers } from '../../worker/create-workers';

export interface RealWorkerHarness {
  env: SharedEnv;
  db: Db;
  s3: S3Client;
  client: Client;
  workers: Worker[];
  /** Runs `fn` while the workers poll, then shuts them down. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The production worker registration on a task queue of its own, against the test
 * stack's real Temporal, Postgres and S3.
 */
export async function startRealWorker(overrides: Partial<SharedEnv> = {}): Promise<RealWorkerHarness> {
  quietTemporalLogs();
  const env = { ...sharedEnv(), TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`, ...overrides };
  const pool = createPool(env.DATABASE_URL, 6);
  const db = dbFromPool(pool);
  const s3 = createS3Client(env);
  const nativeConnection = await NativeConnection.connect(temporalConnectionOptions(env));
  const { workers } = await createWorkers({ env, db, pool, s3 }, nativeConnection);
  const connection = await Connection.connect(temporalConnectionOptions(env));
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  return {
    env,
    db,
    s3,
    client,
    workers,
    async run(fn) {
      const [result] = await Promise.all([
        fn().finally(() => {
          for (const w of workers) w.shutdown();
        }),
        ...workers.map((w) => w.run()),
      ]);
      return result;
    },
    async close() {
      await connection.close();
      await nativeConnection.close();
      await db.destroy();
      s3.destroy();
    },
  };
}

let runtimeInstalled = false;

/** Worker state changes and bundle stats at INFO drown test output; keep warnings. */
export function quietTemporalLogs(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}
