import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';

const checkTimeoutMs = 2_000;

function answers(check: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), checkTimeoutMs);
  });
  return Promise.race([check(), timeout])
    .then(
      () => true,
      () => false,
    )
    .finally(() => clearTimeout(timer));
}

/**
 * The worker is ready while every worker polls (running, not stopping) and Postgres and
 * Temporal answer. S3 is not asked: an export attempt that cannot reach it fails and is
 * retried, and taking the worker out would not make S3 come back.
 */
export function workerReadiness({ workers, pool, connection }: { workers: Worker[]; pool: Pool; connection: NativeConnection }) {
  return async (): Promise<Record<string, boolean>> => {
    const [database, temporal] = await Promise.all([
      answers(() => pool.query('select 1')),
      answers(() => connection.withDeadline(Date.now() + checkTimeoutMs, () => connection.workflowService.getSystemInfo({}))),
    ]);
    return { polling: workers.length > 0 && workers.every((w) => w.getState() === 'RUNNING'), database, temporal };
  };
}
