import { Runtime } from '@temporalio/worker';
import { createPool, dbFromPool } from '../lib/db/client';
import { sharedEnv } from '../lib/env';
import { createWorkerS3Client } from '../lib/storage/s3';
import { createWorkers } from './create-workers';
import { ensureSchedules } from './schedules';

/**
 * The export worker sidecar. Runs until SIGINT/SIGTERM, then drains: Temporal's runtime
 * stops polling, waits for in-flight tasks (up to the shutdown grace time) and exits.
 */
const env = sharedEnv();
Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM'] });

// Each running export holds one client for its COPY stream, plus a few for updates.
const pool = createPool(env.DATABASE_URL, env.WORKER_MAX_CONCURRENT_ACTIVITIES * 2 + 2);
const db = dbFromPool(pool);
const s3 = createWorkerS3Client(env);
const { workers, connection } = await createWorkers({ env, db, pool, s3 });
await ensureSchedules(env);
console.log(`worker polling task queue "${env.TEMPORAL_TASK_QUEUE}" on ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE})`);
try {
  await Promise.all(workers.map((worker) => worker.run()));
} finally {
  await connection.close();
  await db.destroy();
  s3.destroy();
  console.log('worker stopped');
}
