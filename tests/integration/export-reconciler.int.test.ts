import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserExportInput } from '../../lib/exports/export.contracts';
import { markExportCancelled, markExportRunning } from '../../lib/exports/export-lifecycle';
import { reconcileStuckExports, type ReconcileDeps, type ReconcileReport } from '../../lib/exports/export-reconciler';
import { findInFlightExportForUser } from '../../lib/exports/export.repository';
import { insertBulkExport, insertBulkUsers } from '../../lib/exports/bulk/bulk-export.repository';
import type { BulkExportWorkflowInput } from '../../lib/exports/bulk/bulk-export.contracts';
import { temporalConnectionOptions } from '../../lib/temporal/connection';
import { reconcileScheduleId, ensureSchedules } from '../../worker/schedules';
import { insertQueuedExport, type pickSeededUser } from '../support/export-fixtures';
import { startRealWorker, type RealWorkerHarness } from '../support/worker';

/**
 * The reconciler frees users whose export row was left queued/running with nothing behind
 * it. Each case is set up as it happens in production, then one sweep runs as the
 * Schedule runs it (ReconcileExportsWorkflow on the real worker, rows older than its one
 * minute threshold): with the Schedule's one-minute interval, the user is free within two.
 */
let harness: RealWorkerHarness;
let running: Promise<unknown>;
type SeededUser = Awaited<ReturnType<typeof pickSeededUser>>;
let users: SeededUser[];
const scheduleInput = { minAgeMs: 60_000 };

beforeAll(async () => {
  harness = await startRealWorker();
  running = Promise.all(harness.workers.map((w) => w.run()));
  // One in-flight export per user (a unique index): each row here gets a user of its own.
  const { rows } = await sql<SeededUser>`
    select u.id, u.tenant_id, u.environment_id, u.email, 0 as events,
      (select a.id from admins a where a.tenant_id = u.tenant_id and a.role = 'admin' limit 1) as admin_id
    from users u
    where not exists (select 1 from exports x where x.tenant_id = u.tenant_id and x.environment_id = u.environment_id
      and x.user_id = u.id and x.status in ('queued', 'running'))
    order by u.email limit 12`.execute(harness.db);
  users = rows;
});
afterAll(async () => {
  for (const w of harness?.workers ?? []) w.shutdown();
  await running;
  await harness?.close();
});

const scopeOf = (input: UserExportInput) => ({ tenantId: input.tenantId, environmentId: input.environmentId });

/** The user is free: no export of theirs is queued or running. */
async function isFree(input: UserExportInput): Promise<boolean> {
  return (await findInFlightExportForUser(harness.db, scopeOf(input), input.userId)) === undefined;
}

/** A queued row as the web app commits it, dated `ageMs` ago, for a user of its own. */
async function queuedExport(ageMs: number): Promise<UserExportInput & { workflowId: string }> {
  const user = users.shift();
  if (!user) throw new Error('not enough seeded users without an export in flight');
  const input = await insertQueuedExport(harness.db, user);
  await backdate(input.exportId, ageMs);
  return { ...input, workflowId: `user-export-${input.exportId}` };
}

async function backdate(id: string, ageMs: number): Promise<void> {
  await sql`update exports set created_at = ${new Date(Date.now() - ageMs)} where id = ${id}`.execute(harness.db);
}

function sweep(): Promise<ReconcileReport> {
  return harness.client.workflow.execute('ReconcileExportsWorkflow', {
    taskQueue: harness.env.TEMPORAL_TASK_QUEUE,
    workflowId: `reconcile-test-${randomUUID()}`,
    args: [scheduleInput],
    workflowExecutionTimeout: '60 seconds',
  });
}

async function row(id: string) {
  return harness.db.selectFrom('exports').select(['status', 'error_summary', 'completed_at']).where('id', '=', id).executeTakeFirstOrThrow();
}

describe('export reconciler', () => {
  it('a crash between the commit and the workflow start: the row fails "could not be started" and the user is free', async () => {
    const orphan = await queuedExport(61_000);
    // Too young to judge: its workflow may be starting right now.
    const young = await queuedExport(0);
    const report = await sweep();
    expect(report.repaired).toContainEqual({ exportId: orphan.exportId, repair: 'not-started' });
    expect(await row(orphan.exportId)).toMatchObject({ status: 'failed', error_summary: expect.stringMatching(/could not be started/) });
    expect((await row(young.exportId)).status).toBe('queued');

    await backdate(young.exportId, 61_000);
    await sweep();
    expect((await row(young.exportId)).status).toBe('failed');
    expect(await isFree(orphan)).toBe(true);
  });

  it('`temporal workflow terminate`: the row fails with an operator-stopped summary', async () => {
    const input = await queuedExport(61_000);
    // On a task queue nobody polls, so the run stays open until it is terminated.
    const handle = await harness.client.workflow.start('UserExportWorkflow', {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: `user-export-${input.exportId}`,
      args: [input],
    });
    const untouched = await sweep();
    expect(untouched.repaired.map((r) => r.exportId)).not.toContain(input.exportId);
    expect((await row(input.exportId)).status).toBe('queued');

    await handle.terminate('operator stopped it');
    const report = await sweep();
    expect(report.repaired).toContainEqual({ exportId: input.exportId, repair: 'terminated' });
    expect(await row(input.exportId)).toMatchObject({ status: 'failed', error_summary: 'The export was stopped by an operator. Request it again.' });
    expect(await isFree(input)).toBe(true);
  });

  it('`finishExport` exhausted (database down while recording): the run fails, the sweep records failed or cancelled', async () => {
    const failing = await queuedExport(61_000);
    const cancelled = await queuedExport(61_000);
    // The real workflow with activities that behave as in an outage: the export fails (or
    // is cancelled) once the row is running, and recording the ending never succeeds.
    const taskQueue = `reconcile-finish-${randomUUID()}`;
    const connection = await NativeConnection.connect(temporalConnectionOptions(harness.env));
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../../worker/workflows/index.ts', import.meta.url)),
      activities: {
        async exportUserData(i: UserExportInput) {
          await markExportRunning(harness.db, scopeOf(i), i.exportId, 0);
          if (i.exportId === failing.exportId) throw ApplicationFailure.nonRetryable('gone', 'NotFound');
          const ctx = Context.current();
          const beat = setInterval(() => ctx.heartbeat(), 200);
          try {
            await ctx.cancelled;
          } finally {
            clearInterval(beat);
          }
        },
        async finishExport() {
          throw new Error('connect ECONNREFUSED (the database is down)');
        },
      },
      maxHeartbeatThrottleInterval: '1 second',
    });
    const handles = await worker.runUntil(async () => {
      const start = (input: UserExportInput) =>
        harness.client.workflow.start('UserExportWorkflow', { taskQueue, workflowId: `user-export-${input.exportId}`, args: [input] });
      const [f, c] = await Promise.all([start(failing), start(cancelled)]);
      await expect.poll(async () => (await row(cancelled.exportId)).status, { timeout: 15_000 }).toBe('running');
      await c.cancel();
      // finishExport's ten local attempts take about a minute.
      await Promise.all([f.result().catch(() => {}), c.result().catch(() => {})]);
      return [f, c];
    });
    await connection.close();
    for (const handle of handles) expect((await handle.describe()).status.name).toBe('FAILED');
    expect((await row(failing.exportId)).status).toBe('running');
    expect((await row(cancelled.exportId)).status).toBe('running');

    const report = await sweep();
    expect(report.repaired).toEqual(
      expect.arrayContaining([
        { exportId: failing.exportId, repair: 'failed' },
        { exportId: cancelled.exportId, repair: 'cancelled' },
      ]),
    );
    expect(await row(failing.exportId)).toMatchObject({ status: 'failed', error_summary: expect.stringMatching(/could not be recorded/) });
    expect(await row(cancelled.exportId)).toMatchObject({ status: 'cancelled', error_summary: null });
    expect(await isFree(failing)).toBe(true);
    expect(await isFree(cancelled)).toBe(true);
  }, 150_000);

  it('copies a timed-out run as failed, reads a completed run with a row in flight as lost, leaves running runs alone', async () => {
    const [timedOut, completed, stillRunning] = [await queuedExport(61_000), await queuedExport(61_000), await queuedExport(61_000)];
    const statusOf: Record<string, string> = {
      [timedOut.workflowId]: 'TIMED_OUT',
      [completed.workflowId]: 'COMPLETED',
      [stillRunning.workflowId]: 'RUNNING',
    };
    // Temporal as the reconciler sees it, for outcomes too slow or awkward to produce for real.
    const temporal = {
      workflow: {
        getHandle: (workflowId: string) => ({
          describe: async () => {
            const name = statusOf[workflowId];
            if (!name) return harness.client.workflow.getHandle(workflowId).describe();
            return { status: { name } };
          },
          fetchHistory: async () => ({ events: [] }),
        }),
      },
    } as unknown as ReconcileDeps['temporal'];
    const report = await reconcileStuckExports({ db: harness.db, temporal }, scheduleInput);
    expect(report.repaired).toEqual(
      expect.arrayContaining([
        { exportId: timedOut.exportId, repair: 'timed-out' },
        { exportId: completed.exportId, repair: 'ended-unrecorded' },
      ]),
    );
    expect(await row(timedOut.exportId)).toMatchObject({ status: 'failed', error_summary: expect.stringMatching(/ran out of time/) });
    expect(await row(completed.exportId)).toMatchObject({ status: 'failed', error_summary: expect.stringMatching(/without recording its file/) });
    expect((await row(stillRunning.exportId)).status).toBe('queued');
    // Free the user for later tests.
    await markExportCancelled(harness.db, scopeOf(stillRunning), stillRunning.exportId);
  });

  it('the worker creates the reconcile Schedule idempotently', async () => {
    const errors: string[] = [];
    await ensureSchedules(harness.env, (line) => errors.push(line));
    await ensureSchedules(harness.env, (line) => errors.push(line));
    expect(errors).toEqual([]);
    const handle = harness.client.schedule.getHandle(reconcileScheduleId(harness.env));
    try {
      const schedule = await handle.describe();
      expect(schedule.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'ReconcileExportsWorkflow',
        taskQueue: harness.env.TEMPORAL_TASK_QUEUE,
        args: [scheduleInput],
      });
      expect(schedule.spec.intervals).toMatchObject([{ every: 60_000 }]);
    } finally {
      await handle.delete();
    }
  });
});

describe('bulk export reconciler', () => {
  /** A queued bulk row of two users as the web app commits it, dated `ageMs` ago; no workflow started. */
  async function queuedBulk(ageMs: number): Promise<BulkExportWorkflowInput & { workflowId: string }> {
    const user = users.shift();
    if (!user) throw new Error('not enough seeded users');
    const scope = { tenantId: user.tenant_id, environmentId: user.environment_id };
    const id = randomUUID();
    const workflowId = `bulk-export-${id}`;
    await harness.db.transaction().execute(async (tx) => {
      await insertBulkExport(tx, {
        id,
        scope,
        requestedBy: user.admin_id,
        workflowId,
        all: false,
        options: { format: 'csv', from: null, to: null },
        usersTotal: 0,
      });
      const n = await insertBulkUsers(tx, scope, id, [user.id]);
      await tx.updateTable('bulk_exports').set({ users_total: n }).where('id', '=', id).execute();
    });
    await sql`update bulk_exports set created_at = ${new Date(Date.now() - ageMs)} where id = ${id}`.execute(harness.db);
    return { bulkExportId: id, ...scope, format: 'csv', concurrency: 1, batchSize: 10, workflowId };
  }

  async function bulkRow(id: string) {
    return harness.db
      .selectFrom('bulk_exports')
      .select(['status', 'error_summary', 'completed_at', 'users_cancelled'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  it('a crash between the commit and the workflow start: the bulk row fails "could not be started", its users end cancelled', async () => {
    const orphan = await queuedBulk(61_000);
    const young = await queuedBulk(0);
    const report = await sweep();
    expect(await bulkRow(orphan.bulkExportId)).toMatchObject({
      status: 'failed',
      error_summary: expect.stringMatching(/could not be started/),
      completed_at: expect.any(Date),
      users_cancelled: 1,
    });
    expect(report.bulkRepaired).toContainEqual({ bulkExportId: orphan.bulkExportId, repair: 'not-started' });
    expect((await bulkRow(young.bulkExportId)).status).toBe('queued');
    await sql`update bulk_exports set created_at = ${new Date(Date.now() - 61_000)} where id = ${young.bulkExportId}`.execute(harness.db);
    await sweep();
    expect((await bulkRow(young.bulkExportId)).status).toBe('failed');
  });

  it('`temporal workflow terminate` on a running bulk: the row fails with an operator-stopped summary', async () => {
    const input = await queuedBulk(61_000);
    await sql`update bulk_exports set status = 'running', started_at = now() where id = ${input.bulkExportId}`.execute(harness.db);
    // On a task queue nobody polls, so the run stays open until it is terminated.
    const handle = await harness.client.workflow.start('BulkExportWorkflow', {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: input.workflowId,
      args: [input],
    });
    const untouched = await sweep();
    expect(untouched.bulkRepaired?.map((r) => r.bulkExportId) ?? []).not.toContain(input.bulkExportId);
    expect((await bulkRow(input.bulkExportId)).status).toBe('running');

    await handle.terminate('operator stopped it');
    const report = await sweep();
    expect(await bulkRow(input.bulkExportId)).toMatchObject({
      status: 'failed',
      error_summary: 'The bulk export was stopped by an operator. Request it again.',
      users_cancelled: 1,
    });
    expect(report.bulkRepaired).toContainEqual({ bulkExportId: input.bulkExportId, repair: 'terminated' });
  });
});
