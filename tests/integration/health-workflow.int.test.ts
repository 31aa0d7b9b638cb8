import { randomUUID } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../lib/storage/s3';
import type { HealthCheckResult } from '../../lib/health/health.contracts';
import { startRealWorker, type RealWorkerHarness } from '../support/worker';

let harness: RealWorkerHarness;

beforeAll(async () => {
  harness = await startRealWorker();
});
afterAll(async () => {
  await harness?.close();
});

describe('health workflow through a real worker', () => {
  it('touches Postgres and S3 and cleans up its probe object', async () => {
    const probeId = randomUUID();
    const result = await harness.run(
      () =>
        harness.client.workflow.execute('HealthCheckWorkflow', {
          taskQueue: harness.env.TEMPORAL_TASK_QUEUE,
          workflowId: `health-${probeId}`,
          args: [{ probeId }],
          workflowExecutionTimeout: '60 seconds',
        }) as Promise<HealthCheckResult>,
    );
    expect(result.database.ok).toBe(true);
    expect(result.database.serverVersion).toMatch(/^\d+/);
    expect(result.storage.roundTripBytes).toBeGreaterThan(0);

    const s3 = createS3Client(harness.env);
    await expect(s3.send(new HeadObjectCommand({ Bucket: harness.env.S3_BUCKET, Key: `health/${probeId}.txt` }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    s3.destroy();

    const history = await harness.client.workflow.getHandle(`health-${probeId}`).fetchHistory();
    const activityTypes = (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activityTypes).toEqual(['checkDependencies']);
  });
});
