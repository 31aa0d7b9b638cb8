import { describe, expect, it } from 'vitest';
import { saveHistory } from '../support/histories';
import { startWorker } from '../support/processes';
import {
  assertOneObjectNoOpenUpload,
  expectUnavailable,
  getExport,
  pendingExportActivity,
  requestExport,
  untilMidExport,
  untilStatus,
  productUnderFault,
} from './support/product-under-fault';
import type { ExportDto } from '../../lib/exports/export.contracts';

/**
 * Dependencies failing under a running product: the production web build and a real
 * worker on a private stack whose Temporal, S3 and Postgres are stopped and restarted.
 * Every fault must end in a state the user can see, never a hang.
 */
const product = productUnderFault();

describe('dependency faults', () => {
  it('Postgres restarted: the API answers 503 with a hint meanwhile, then recovers', async () => {
    await product.stack.stopPostgres();
    await expectUnavailable(await product.api('/api/exports'));
    const health = await product.api('/api/health');
    expect(health.status).toBe(503);
    expect(((await health.json()) as { checks: { database: { ok: boolean } } }).checks.database.ok).toBe(false);
    await product.stack.startPostgres();
    await expect.poll(async () => (await product.api('/api/exports')).status, { timeout: 30_000 }).toBe(200);
  });

  it('Temporal restarted mid-export: starts answer 503 meanwhile, and the export still finishes', async () => {
    const accepted = await requestExport(product, product.fixture.bigUserId);
    expect(accepted.status).toBe(202);
    const { export: big } = (await accepted.json()) as { export: ExportDto };
    await untilMidExport(product, big.id);

    await product.stack.stopTemporal();
    const refused = await requestExport(product, product.fixture.smallUserId);
    await expectUnavailable(refused);
    // The refused request leaves a failed export with a reason, never a stuck `queued` row.
    const smallRows = await product.db.selectFrom('exports').select(['status', 'error_summary']).where('user_id', '=', product.fixture.smallUserId).execute();
    expect(smallRows).toEqual([{ status: 'failed', error_summary: expect.stringMatching(/could not be started/) }]);
    // Reading an export never depends on Temporal (the product.worker may even finish meanwhile).
    expect(['running', 'completed']).toContain((await getExport(product, big.id)).status);

    await product.stack.startTemporal();
    const done = await untilStatus(product, big.id, 'completed');
    expect(done.progress).toEqual({ rowsExported: product.fixture.bigUserEvents, rowsTotal: product.fixture.bigUserEvents });
    await assertOneObjectNoOpenUpload(product, big.id);
    await saveHistory(product.temporal, big.workflowId, 'temporal-restart');
  });

  it('S3 unreachable for ~20 s mid-export: the export recovers and completes once', async () => {
    const accepted = await requestExport(product, product.fixture.bigUserId);
    expect(accepted.status).toBe(202);
    const { export: big } = (await accepted.json()) as { export: ExportDto };
    await untilMidExport(product, big.id);
    await product.stack.stopS3();
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    expect((await getExport(product, big.id)).status).toBe('running');
    await product.stack.startS3();
    const done = await untilStatus(product, big.id, 'completed');
    expect(done.progress.rowsExported).toBe(product.fixture.bigUserEvents);
    await assertOneObjectNoOpenUpload(product, big.id);
    await saveHistory(product.temporal, big.workflowId, 's3-brief-outage');
  });

  it('S3 stops answering (SIGSTOP) mid-upload: the attempt gives up in under 60 s, is retried, and completes after SIGCONT', async () => {
    const accepted = await requestExport(product, product.fixture.bigUserId);
    expect(accepted.status).toBe(202);
    const { export: big } = (await accepted.json()) as { export: ExportDto };
    await untilMidExport(product, big.id);
    const handle = product.temporal.workflow.getHandle(big.workflowId);
    product.stack.pauseS3();
    const pausedAt = Date.now();
    let retried: Awaited<ReturnType<typeof pendingExportActivity>>;
    try {
      // Connections are still accepted (the kernel's backlog), so only a timeout can end the attempt.
      await expect.poll(async () => (retried = await pendingExportActivity(handle)).attempt, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(2);
      expect(Date.now() - pausedAt).toBeLessThan(60_000);
      expect(retried!.lastFailure).toMatch(/Stalled: The export made no progress for \d+ s while waiting on S3|Heartbeat/i);
      expect((await getExport(product, big.id)).status).toBe('running');
    } finally {
      product.stack.resumeS3();
    }
    const done = await untilStatus(product, big.id, 'completed');
    expect(done.progress.rowsExported).toBe(product.fixture.bigUserEvents);
    await assertOneObjectNoOpenUpload(product, big.id);
    await saveHistory(product.temporal, big.workflowId, 's3-paused');
  });

  it('every worker stopped: health says no worker, exports stay queued, then finish when one returns', async () => {
    product.worker!.kill('SIGTERM');
    expect(await product.worker!.exited).toEqual({ code: 0, signal: null });
    product.worker = undefined;
    const accepted = await requestExport(product, product.fixture.smallUserId);
    expect(accepted.status).toBe(202);
    const { export: queued } = (await accepted.json()) as { export: ExportDto };

    // Temporal lists a dead poller for minutes; health judges by its last poll time.
    await expect
      .poll(async () => ((await (await product.api('/api/health')).json()) as { checks: { worker: { ok: boolean } } }).checks.worker.ok, {
        timeout: 150_000,
        interval: 2_000,
      })
      .toBe(false);
    expect((await getExport(product, queued.id)).status).toBe('queued');

    product.worker = await startWorker(product.stack.env);
    await untilStatus(product, queued.id, 'completed', 120_000);
    await expect
      .poll(async () => ((await (await product.api('/api/health')).json()) as { checks: { worker: { ok: boolean } } }).checks.worker.ok, {
        timeout: 60_000,
        interval: 1_000,
      })
      .toBe(true);
  });
});
