import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import type pg from 'pg';
import type { Db } from '../lib/db/client';
import { retentionSeconds, type SharedEnv } from '../lib/env';
import { temporalConnectionOptions } from '../lib/temporal/connection';
import type { TaskQueueKey, WorkflowType } from '../lib/temporal/registry';
import { createBulkExportActivities } from './activities/bulk-export.activities';
import { createExportActivities } from './activities/export.activities';
import { createHealthActivities } from './activities/health.activities';
import { createNotificationActivities } from './activities/notification.activities';
import { mailConfigFromEnv } from '../lib/notifications/mailer';
import { createReconcileActivities } from './activities/reconcile.activities';
import { createRetentionActivities } from './activities/retention.activities';

export interface WorkerDeps {
  env: SharedEnv;
  db: Db;
  pool: pg.Pool;
  s3: S3Client;
}

export interface QueueRegistration {
  queue: TaskQueueKey;
  /** Workflow names this queue runs; each must be exported from workflowsPath. */
  workflows: WorkflowType[];
  workflowsPath: string;
  activities: (deps: WorkerDeps) => Record<string, (...args: never[]) => Promise<unknown>>;
}

/** The one list the worker registers from: task queue → workflows + activities. */
export const registrations: QueueRegistration[] = [
  {
    queue: 'export',
    workflows: ['UserExportWorkflow', 'BulkExportWorkflow', 'HealthCheckWorkflow', 'ReconcileExportsWorkflow', 'RetentionSweepWorkflow'],
    workflowsPath: fileURLToPath(new URL('./workflows/index.ts', import.meta.url)),
    activities: ({ env, db, pool, s3 }) => ({
      ...createExportActivities({
        db,
        pool,
        s3,
        bucket: env.S3_BUCKET,
        retentionSeconds: retentionSeconds(env),
        runOptions: { stallTimeoutMs: env.EXPORT_STALL_TIMEOUT_SECONDS * 1000 },
      }),
      ...createBulkExportActivities({
        db,
        s3,
        bucket: env.S3_BUCKET,
        retentionSeconds: retentionSeconds(env),
        caps: { perMinute: env.EXPORT_RATE_PER_MINUTE, concurrent: env.EXPORT_MAX_CONCURRENT },
      }),
      ...createNotificationActivities({ db, mail: mailConfigFromEnv(env) }),
      ...createHealthActivities({ db, s3, bucket: env.S3_BUCKET }),
      ...createRetentionActivities({ db, s3, bucket: env.S3_BUCKET }),
      // Lazy: the reconciler dials Temporal on its first sweep, not at registration.
      ...createReconcileActivities({
        db,
        temporal: new Client({ connection: Connection.lazy(temporalConnectionOptions(env)), namespace: env.TEMPORAL_NAMESPACE }),
      }),
    }),
  },
];
