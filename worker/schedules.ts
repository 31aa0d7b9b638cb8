import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { SharedEnv } from '../lib/env';
import { temporalConnectionOptions } from '../lib/temporal/connection';
import { taskQueueName, workflowRegistry } from '../lib/temporal/registry';
import type { ReconcileInput } from './activities/reconcile.activities';
import type { RetentionSweepInput } from './activities/retention.activities';

/**
 * Rows older than a minute are checked every minute, so a row with nothing behind it is
 * repaired within about two minutes. A younger row is skipped: the web app may be starting
 * its workflow right now (commit first, then start).
 */
const reconcileInput: ReconcileInput = { minAgeMs: 60_000 };

/** One schedule per deployment: deployments sharing a cluster differ by task queue. */
export function reconcileScheduleId(env: Pick<SharedEnv, 'TEMPORAL_TASK_QUEUE'>): string {
  return `reconcile-exports-${env.TEMPORAL_TASK_QUEUE}`;
}

function reconcileSchedule(env: SharedEnv): ScheduleOptions {
  return {
    scheduleId: reconcileScheduleId(env),
    spec: { intervals: [{ every: '1 minute' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'ReconcileExportsWorkflow',
      taskQueue: taskQueueName(workflowRegistry.ReconcileExportsWorkflow.queue, env),
      args: [reconcileInput],
    },
    // A slow sweep is not run twice at once, and sweeps missed while Temporal was down are
    // not replayed: the next one covers them.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  };
}

/** At most this many exports per environment per hourly sweep; a backlog drains over a few hours. */
const retentionInput: RetentionSweepInput = { batchSize: 500 };

export function retentionScheduleId(env: Pick<SharedEnv, 'TEMPORAL_TASK_QUEUE'>): string {
  return `retention-sweep-${env.TEMPORAL_TASK_QUEUE}`;
}

/**
 * Hourly: an export's file outlives its expiresAt by at most an hour plus one sweep. The
 * download refuses it from expiresAt on (410), so the hour is storage, never access.
 */
function retentionSchedule(env: SharedEnv): ScheduleOptions {
  return {
    scheduleId: retentionScheduleId(env),
    spec: { intervals: [{ every: '1 hour' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'RetentionSweepWorkflow',
      taskQueue: taskQueueName(workflowRegistry.RetentionSweepWorkflow.queue, env),
      args: [retentionInput],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  };
}

/**
 * Creates the worker's Temporal Schedules, or brings existing ones to this version's
 * definition: every worker calls it at start, so it must be idempotent. A failure is
 * reported and not fatal: exports run without the reconciler, and the next start retries.
 */
export async function ensureSchedules(env: SharedEnv, log: (line: string) => void = console.error): Promise<void> {
  const connection = await Connection.connect(temporalConnectionOptions(env)).catch((error: unknown) => error as Error);
  if (connection instanceof Error) return log(`schedules not ensured: Temporal unreachable (${connection.message})`);
  try {
    const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
    // Each on its own: one refused schedule does not keep the other from being ensured.
    for (const options of [reconcileSchedule(env), retentionSchedule(env)]) {
      try {
        await ensureSchedule(client, options);
      } catch (error) {
        log(`schedule ${options.scheduleId} not ensured: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    await connection.close();
  }
}

async function ensureSchedule(client: Client, options: ScheduleOptions): Promise<void> {
  try {
    await client.schedule.create(options);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule
      .getHandle(options.scheduleId)
      .update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  }
}
