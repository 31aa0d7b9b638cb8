import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime } from '@temporalio/worker';
import { createPool, dbFromPool } from '../lib/db/client';
import { ConfigError, type SharedEnv } from '../lib/env';
import { createLogger } from '../lib/log.mjs';
import { startTracing, tracingEnabled } from '../lib/telemetry/tracing';
import { createWorkerS3Client } from '../lib/storage/s3';
import { heartbeatOnS3Requests } from './s3-heartbeat';
import { createWorkers } from './create-workers';
import { workerOps } from './ops-server';
import { workerReadiness } from './readiness';
import { ensureSchedules } from './schedules';
import { ensureSearchAttributes } from './search-attributes-check';
import { forwardedCoreLogs, temporalLogger } from './temporal-logger';
import { prebuiltBundleDir } from './workflow-code';
import { workerEnv } from './worker-env';

/**
 * The export worker sidecar. Runs until SIGINT/SIGTERM, then drains: Temporal's runtime
 * stops polling, waits for in-flight tasks (up to the shutdown grace time) and exits.
 * Production runs the build (`npm run build`, then `npm run worker`); dev runs this source.
 */
const bundleDir = prebuiltBundleDir(import.meta.url);
// Source: worker/index.ts; build: dist/worker/index.js. The local stack keeps .data in the checkout.
const checkout = fileURLToPath(new URL(bundleDir ? '../..' : '..', import.meta.url));

const log = createLogger('export-console-worker');
let env: SharedEnv;
try {
  env = workerEnv(process.env, path.join(checkout, '.data'), (line) => log.info(line));
} catch (error) {
  // A configuration problem is the operator's to fix: the message says how; a stack trace would bury it.
  if (!(error instanceof ConfigError)) throw error;
  log.fatal(error.message);
  process.exit(1);
}
const ops = await workerOps(env.WORKER_METRICS_ADDRESS);
// One runtime: the core's own log lines forwarded into pino, and its Prometheus exporter behind the ops port.
Runtime.install({
  logger: temporalLogger(log),
  telemetryOptions: { ...ops.telemetryOptions, logging: forwardedCoreLogs },
  shutdownSignals: ['SIGINT', 'SIGTERM'],
});
const tracing = tracingEnabled() ? startTracing('export-console-worker') : undefined;

// Each running export holds one client for its COPY stream, plus a few for updates.
const pool = createPool(env.DATABASE_URL, env.WORKER_MAX_CONCURRENT_ACTIVITIES * 2 + 2);
const db = dbFromPool(pool);
const s3 = createWorkerS3Client(env);
heartbeatOnS3Requests(s3);
const { workers, connection } = await createWorkers({ env, db, pool, s3 }, undefined, bundleDir, tracing);
await ops.serve(workerReadiness({ workers, pool, connection }));
try {
  const { added } = await ensureSearchAttributes(connection, env.TEMPORAL_NAMESPACE);
  if (added.length > 0) log.info(`registered the search attributes ${added.join(', ')} in namespace ${env.TEMPORAL_NAMESPACE}`);
} catch (error) {
  // Exports would hang on their first status upsert: refuse to start, saying what to run.
  log.fatal(error instanceof Error ? error.message : String(error));
  await connection.close();
  process.exit(1);
}
await ensureSchedules(env, (line) => log.warn(line));
log.info(`worker polling task queue "${env.TEMPORAL_TASK_QUEUE}" on ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE})`);
try {
  await Promise.all(workers.map((worker) => worker.run()));
} finally {
  await connection.close();
  await db.destroy();
  s3.destroy();
  await tracing?.shutdown();
  log.info('worker stopped');
}
