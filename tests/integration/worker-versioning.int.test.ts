import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserExportInput } from '../../lib/exports/export.contracts';
import { exportRow, type FaultFixture, seedFaultFixture } from '../faults/support/fixtures';
import { startRealWorker, type RealWorkerHarness } from '../support/worker';

/**
 * The deploy procedure of docs/deploy.md on a real Temporal server: workers of two builds of
 * one Worker Deployment poll the same queue; an export started on build a stays on a after
 * build b is made current, and the next export runs on b.
 */
const deploymentName = `export-console-${randomUUID().slice(0, 8)}`;
const taskQueue = `test-versioning-${randomUUID()}`;
let fixture: FaultFixture;
let a: RealWorkerHarness;
let b: RealWorkerHarness;
const running: Promise<unknown>[] = [];

function startBuild(buildId: string): Promise<RealWorkerHarness> {
  return startRealWorker({ TEMPORAL_TASK_QUEUE: taskQueue, WORKER_DEPLOYMENT_NAME: deploymentName, WORKER_BUILD_ID: buildId });
}

beforeAll(async () => {
  [a, b] = await Promise.all([startBuild('a'), startBuild('b')]);
  // Big enough that an export is still running when the current build changes.
  fixture = await seedFaultFixture(a.db, 500_000);
  for (const harness of [a, b]) running.push(...harness.workers.map((w) => w.run()));
});

afterAll(async () => {
  for (const harness of [a, b]) for (const w of harness?.workers ?? []) w.shutdown();
  await Promise.allSettled(running);
  await Promise.all([a?.close(), b?.close()]);
});

/** Makes `buildId` current; the server knows a version only once its workers have polled. */
async function makeCurrent(client: Client, buildId: string): Promise<void> {
  await expect
    .poll(
      async () => {
        try {
          await client.workflowService.setWorkerDeploymentCurrentVersion({ namespace: a.env.TEMPORAL_NAMESPACE, deploymentName, buildId });
          return 'current';
        } catch (error) {
          return (error as Error).message;
        }
      },
      { timeout: 60_000, interval: 500 },
    )
    .toBe('current');
}

async function startExport(userId: string): Promise<{ input: UserExportInput; workflowId: string }> {
  const exportId = randomUUID();
  const workflowId = `user-export-${exportId}`;
  const input = { exportId, userId, tenantId: fixture.tenantId, environmentId: fixture.environmentId };
  await a.db
    .insertInto('exports')
    .values({
      id: exportId,
      tenant_id: fixture.tenantId,
      environment_id: fixture.environmentId,
      user_id: userId,
      requested_by: fixture.adminId,
      workflow_id: workflowId,
      status: 'queued',
    })
    .execute();
  await a.client.workflow.start('UserExportWorkflow', { taskQueue, workflowId, args: [input] });
  return { input, workflowId };
}

async function versionOf(workflowId: string): Promise<{ buildId?: string | null; behavior?: unknown }> {
  const info = (await a.client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.versioningInfo;
  return { buildId: info?.deploymentVersion?.buildId, behavior: info?.behavior };
}

describe('worker deployment versioning', () => {
  it('keeps an export in flight on the build that started it, and sends the next one to the new current build', async () => {
    await makeCurrent(a.client, 'a');
    const first = await startExport(fixture.bigUserId);
    await expect.poll(async () => (await exportRow(a.db, first.input.exportId)).rows_exported, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);

    await makeCurrent(a.client, 'b');
    // Still mid-export when b became current, or this test shows nothing.
    expect((await exportRow(a.db, first.input.exportId)).status).toBe('running');
    const second = await startExport(fixture.smallUserId);

    await Promise.all([a.client.workflow.result(first.workflowId), a.client.workflow.result(second.workflowId)]);
    expect(await exportRow(a.db, first.input.exportId)).toMatchObject({ status: 'completed', rows_exported: fixture.bigUserEvents });
    expect((await exportRow(a.db, second.input.exportId)).status).toBe('completed');
    // 1 is VERSIONING_BEHAVIOR_PINNED.
    expect(await versionOf(first.workflowId)).toEqual({ buildId: 'a', behavior: 1 });
    expect(await versionOf(second.workflowId)).toEqual({ buildId: 'b', behavior: 1 });
  });
});
