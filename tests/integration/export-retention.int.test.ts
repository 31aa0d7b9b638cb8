import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../lib/errors';
import { downloadUrl } from '../../lib/exports/export.service';
import { createS3Client } from '../../lib/storage/s3';
import { ensureSchedules, retentionScheduleId } from '../../worker/schedules';
import { insertQueuedExport, type pickSeededUser } from '../support/export-fixtures';
import { startRealWorker, type RealWorkerHarness } from '../support/worker';

/**
 * Retention that deletes (issue 11 §2), end to end on the real stack: the production worker
 * registration with a retention of seconds (EXPORT_RETENTION_SECONDS) exports a real user,
 * the retention Schedule (ensured as the worker does at start, then triggered rather than
 * waited for an hour) runs RetentionSweepWorkflow, and the file, the row and the download
 * all say the export is gone.
 */
const retention = 3;
let harness: RealWorkerHarness;
let running: Promise<unknown>;
let s3: ReturnType<typeof createS3Client>;
type SeededUser = Awaited<ReturnType<typeof pickSeededUser>>;

beforeAll(async () => {
  harness = await startRealWorker({ EXPORT_RETENTION_SECONDS: retention });
  running = Promise.all(harness.workers.map((w) => w.run()));
  s3 = createS3Client(harness.env);
});
afterAll(async () => {
  await harness?.client.schedule
    .getHandle(retentionScheduleId(harness.env))
    .delete()
    .catch(() => {});
  await harness?.client.schedule
    .getHandle(`reconcile-exports-${harness.env.TEMPORAL_TASK_QUEUE}`)
    .delete()
    .catch(() => {});
  for (const w of harness?.workers ?? []) w.shutdown();
  await running;
  await harness?.close();
  s3?.destroy();
});

/** A seeded user with a few events and no export in flight. */
async function freeUser(): Promise<SeededUser> {
  const { rows } = await sql<SeededUser>`
    select u.id, u.tenant_id, u.environment_id, u.email, c.events,
      (select a.id from admins a where a.tenant_id = u.tenant_id and a.role = 'admin' order by a.email limit 1) as admin_id
    from users u
    cross join lateral (select count(*)::int as events from events e
      where e.tenant_id = u.tenant_id and e.environment_id = u.environment_id and e.user_id = u.id) c
    where c.events between 1 and 5000
      and not exists (select 1 from exports x where x.tenant_id = u.tenant_id and x.environment_id = u.environment_id
        and x.user_id = u.id and x.status in ('queued', 'running'))
    order by c.events, u.email limit 1`.execute(harness.db);
  return rows[0]!;
}

async function completedExport() {
  const user = await freeUser();
  const input = await insertQueuedExport(harness.db, user);
  await harness.client.workflow.execute('UserExportWorkflow', {
    taskQueue: harness.env.TEMPORAL_TASK_QUEUE,
    workflowId: `user-export-${input.exportId}`,
    args: [input],
  });
  return { input, user, row: await row(input.exportId) };
}

function row(id: string) {
  return harness.db
    .selectFrom('exports')
    .select(['status', 'object_key', 'completed_at', 'expires_at', 'bytes', 'sha256'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function objectStatus(key: string): Promise<number> {
  try {
    return (await s3.send(new HeadObjectCommand({ Bucket: harness.env.S3_BUCKET, Key: key })).then((r) => r.$metadata.httpStatusCode)) ?? 0;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1;
  }
}

async function downloadError(input: { tenantId: string; environmentId: string; exportId: string }, adminId: string) {
  const error = await downloadUrl(
    { tenantId: input.tenantId, environmentId: input.environmentId },
    { id: adminId, origin: { clientAddress: '203.0.113.9', userAgent: 'RetentionIntTest/1.0' } },
    input.exportId,
  ).then(
    () => null,
    (e: unknown) => e,
  );
  return isAppError(error) ? { status: error.status, code: error.code, message: error.message, hint: error.hint } : error;
}

describe('retention that deletes', () => {
  it('a completed export past expiresAt: the scheduled sweep deletes the object, the row is expired and audited, the download is 410', async () => {
    const { input, user, row: completed } = await completedExport();
    expect(completed.status).toBe('completed');
    const key = completed.object_key!;
    expect(await objectStatus(key)).toBe(200);
    // The retention of seconds reached expiresAt.
    expect(completed.expires_at!.getTime() - completed.completed_at!.getTime()).toBe(retention * 1000);

    const errors: string[] = [];
    await ensureSchedules(harness.env, (line) => errors.push(line));
    expect(errors).toEqual([]);
    const schedule = harness.client.schedule.getHandle(retentionScheduleId(harness.env));
    const described = await schedule.describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'RetentionSweepWorkflow', taskQueue: harness.env.TEMPORAL_TASK_QUEUE });
    expect(described.spec.intervals).toMatchObject([{ every: 3_600_000 }]);

    // Before expiresAt a sweep leaves the export alone.
    await schedule.trigger();
    await expect.poll(async () => (await schedule.describe()).info.recentActions.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const firstRun = (await schedule.describe()).info.recentActions[0]!.action.workflow;
    await harness.client.workflow.getHandle(firstRun.workflowId, firstRun.firstExecutionRunId).result();
    if (Date.now() < completed.expires_at!.getTime()) {
      expect((await row(input.exportId)).status).toBe('completed');
      expect(await objectStatus(key)).toBe(200);
    }

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, completed.expires_at!.getTime() - Date.now()) + 200));
    await schedule.trigger();
    await expect.poll(async () => (await row(input.exportId)).status, { timeout: 30_000, interval: 250 }).toBe('expired');

    expect(await objectStatus(key)).toBe(404);
    // The history keeps what the file was; only the key to the deleted object goes.
    expect(await row(input.exportId)).toMatchObject({ status: 'expired', object_key: null, bytes: completed.bytes, sha256: completed.sha256 });
    const audit = await harness.db.selectFrom('audit_log').selectAll().where('export_id', '=', input.exportId).where('action', '=', 'export.expired').execute();
    expect(audit).toEqual([expect.objectContaining({ admin_id: null, tenant_id: input.tenantId, environment_id: input.environmentId })]);

    expect(await downloadError(input, user.admin_id)).toMatchObject({ status: 410, code: 'gone', hint: expect.stringMatching(/Export again/) });
  });

  it('a completed export past expiresAt is 410 at once, before any sweep; one not yet due downloads', async () => {
    const { input, user } = await completedExport();
    const scope = { tenantId: input.tenantId, environmentId: input.environmentId };
    const url = await downloadUrl(scope, { id: user.admin_id, origin: { clientAddress: '203.0.113.9', userAgent: 'RetentionIntTest/1.0' } }, input.exportId);
    expect(url).toMatch(/^https?:\/\//);
    await sql`update exports set expires_at = now() - interval '1 second' where id = ${input.exportId}`.execute(harness.db);
    expect(await downloadError(input, user.admin_id)).toMatchObject({ status: 410, code: 'gone' });
    expect((await row(input.exportId)).status).toBe('completed');
  });
});
