import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRow, type FaultFixture, seedFaultFixture, startExport } from '../faults/support/fixtures';
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

async function versionOf(workflowId: string): Promise<{ buildId?: string | null; behavior?: unknown }> {
  const info = (await a.client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.versioningInfo;
  return { buildId: info?.deploymentVersion?.buildId, behavior: info?.behavior };
}

describe('worker deployment versioning', () => {
  it('keeps an export in flight on the build that started it, and sends the next one to the new current build', async () => {
    await makeCurrent(a.client, 'a');
    const first = await startExport(a.db, a.client, fixture, fixture.bigUserId, { taskQueue });
    await expect.poll(async () => (await exportRow(a.db, first.exportId)).status, { timeout: 60_000, interval: 100 }).toBe('running');

    // Holding the row's lock keeps the export from completing (its ending is an update of
    // that row) until b is current, however fast the machine streams the rows.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = a.db.transaction().execute(async (trx) => {
      await trx.selectFrom('exports').select('id').where('id', '=', first.exportId).forUpdate().execute();
      locked();
      await released;
    });
    await isLocked;
    try {
      await makeCurrent(a.client, 'b');
      expect((await exportRow(a.db, first.exportId)).status).toBe('running');
    } finally {
      release();
      await holding;
    }
    const second = await startExport(a.db, a.client, fixture, fixture.smallUserId, { taskQueue });

    await Promise.all([a.client.workflow.result(first.workflowId), a.client.workflow.result(second.workflowId)]);
    expect(await exportRow(a.db, first.exportId)).toMatchObject({ status: 'completed', rows_exported: fixture.bigUserEvents });
    expect((await exportRow(a.db, second.exportId)).status).toBe('completed');
    // 1 is VERSIONING_BEHAVIOR_PINNED.
    expect(await versionOf(first.workflowId)).toEqual({ buildId: 'a', behavior: 1 });
    expect(await versionOf(second.workflowId)).toEqual({ buildId: 'b', behavior: 1 });
  });
});
