import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { sql } from 'kysely';
import { getDb } from '../db/web-db';
import { sharedEnv } from '../env';
import { createS3Client } from '../storage/s3';
import { getTemporalClient, resetTemporalClient } from '../temporal/client';
import type { HealthReport } from './health.contracts';

/**
 * A poller Temporal last heard from within this window counts as alive. Idle workers
 * re-poll about once a minute (long poll), and Temporal keeps listing a dead poller for
 * minutes, so the last access time is the signal, with a margin over one long poll.
 */
export const workerFreshnessMs = 75_000;
const checkTimeoutMs = 3_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), checkTimeoutMs).unref())]);
}

const ok = async (check: () => Promise<unknown>) =>
  withTimeout(check()).then(
    () => true,
    () => false,
  );

async function lastWorkerPoll(): Promise<Date | null> {
  const env = sharedEnv();
  const client = await withTimeout(getTemporalClient());
  const response = await client.connection.withDeadline(Date.now() + checkTimeoutMs, () =>
    client.workflowService.describeTaskQueue({
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: { name: env.TEMPORAL_TASK_QUEUE },
      taskQueueType: 2, // activity pollers: the export activity is what needs a worker
    }),
  );
  const times = (response.pollers ?? []).map((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000);
  return times.length ? new Date(Math.max(...times)) : null;
}

let storageClient: ReturnType<typeof createS3Client> | undefined;

export async function checkHealth(): Promise<HealthReport> {
  const env = sharedEnv();
  storageClient ??= createS3Client(env);
  const s3 = storageClient;
  const [database, storage, lastSeen] = await Promise.all([
    ok(() => sql`select 1`.execute(getDb())),
    ok(() => s3.send(new HeadBucketCommand({ Bucket: env.S3_BUCKET }))),
    lastWorkerPoll().then(
      (at) => ({ temporal: true, at }),
      () => {
        resetTemporalClient();
        return { temporal: false, at: null };
      },
    ),
  ]);
  const worker = { ok: lastSeen.at !== null && Date.now() - lastSeen.at.getTime() < workerFreshnessMs, lastSeenAt: lastSeen.at?.toISOString() ?? null };
  const checks = { database: { ok: database }, temporal: { ok: lastSeen.temporal }, storage: { ok: storage }, worker };
  const allOk = database && storage && lastSeen.temporal && worker.ok;
  return { status: allOk ? 'ok' : 'degraded', checks };
}
