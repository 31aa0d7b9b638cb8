import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { BulkExportResult, BulkExportWorkflowInput } from '../../lib/exports/bulk/bulk-export.contracts';
import { bulkManifestName, exportManifestName, parseBulkManifest, parseExportManifest } from '../../lib/exports/archive/manifest';
import { insertBulkExport, insertBulkUsers } from '../../lib/exports/bulk/bulk-export.repository';
import type { UserExportInput, UserExportResult } from '../../lib/exports/export.contracts';
import { createQueuedExport } from '../../lib/exports/export-lifecycle';
import { bulkExportStartSearchAttributes, exportStartSearchAttributes } from '../../lib/temporal/search-attributes';
import { startRegisteredWorkflow } from '../../lib/temporal/start-workflow';
import { readZip } from '../../tests/support/zip';
import { type BenchContext, getObject } from './bench-context';
import { eventsStartAt, type Scope } from './seed-bench-data';

/**
 * Issue 12's bulk rows: one bulk export of N users × E events against N single exports of
 * the same users run with the same concurrency, same run, bytes checked; and the parent's
 * history per run (continue-as-new bounds it by the batch, not by N).
 */
export interface BulkResult {
  users: number;
  eventsPerUser: number;
  concurrency: number;
  batchSize: number;
  singlesMs: number;
  bulkMs: number;
  /** bulk time ÷ singles time (target ≤ 1.5). */
  ratio: number;
  /** Of the bulk: time until every child ended, and the ZIP step after it. */
  childrenMs: number;
  zipMs: number;
  singlesZipBytes: number;
  bulkZipBytes: number;
  /** Every user's folder holds files whose sha256 equals the single export's manifest entry for that file. */
  bytesChecked: boolean;
  filesCompared: number;
  runs: number;
  /** History events per run of the parent, the largest first. */
  historyEvents: number[];
  /** A second, larger bulk timed alone for its history (1 event per user); absent when not run. */
  large?: { users: number; ms: number; runs: number; historyEvents: number[] };
}

/** The bench tenant's `bulk` environment with `users` users of `events` events each (seeded once). */
async function seedBulkEnvironment(ctx: BenchContext, tenantId: string, users: number, events: number, slug = 'bulk'): Promise<Scope & { userIds: string[] }> {
  const { db, log } = ctx;
  await sql`insert into environments (tenant_id, slug, name) values (${tenantId}, ${slug}, ${slug}) on conflict do nothing`.execute(db);
  const environmentId = (await db.selectFrom('environments').select('id').where('tenant_id', '=', tenantId).where('slug', '=', slug).executeTakeFirstOrThrow())
    .id;
  const scope = { tenantId, environmentId };
  const counts = await sql<{ users: number; events: number }>`
    select (select count(*)::int from users where tenant_id = ${tenantId} and environment_id = ${environmentId}) as users,
      (select coalesce(sum(event_count), 0)::int from user_event_counts where tenant_id = ${tenantId} and environment_id = ${environmentId}) as events`.execute(
    db,
  );
  if (counts.rows[0]!.users !== users || counts.rows[0]!.events !== users * events) {
    log(`[seed] ${slug} environment: ${users} users × ${events} events`);
    await db.deleteFrom('exports').where('tenant_id', '=', tenantId).where('environment_id', '=', environmentId).execute();
    await db.deleteFrom('bulk_exports').where('tenant_id', '=', tenantId).where('environment_id', '=', environmentId).execute();
    await db.deleteFrom('events').where('tenant_id', '=', tenantId).where('environment_id', '=', environmentId).execute();
    await db.deleteFrom('users').where('tenant_id', '=', tenantId).where('environment_id', '=', environmentId).execute();
    await sql`insert into users (tenant_id, environment_id, email, name)
      select ${tenantId}::uuid, ${environmentId}::uuid, 'bulk-' || lpad(g::text, 5, '0') || '@bench.example', 'Bulk user ' || g from generate_series(1, ${users}::int) g`.execute(
      db,
    );
    await sql`insert into events (tenant_id, environment_id, user_id, type, occurred_at, properties)
      select u.tenant_id, u.environment_id, u.id, (array['page_view', 'click', 'search', 'login', 'purchase'])[1 + g % 5],
        ${eventsStartAt}::timestamptz + g * interval '41 seconds', jsonb_build_object('path', '/docs/' || (g % 113), 'seq', g, 'ms', g % 1500)
      from users u cross join generate_series(1, ${events}::int) g
      where u.tenant_id = ${tenantId} and u.environment_id = ${environmentId}`.execute(db);
  }
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('environment_id', '=', environmentId)
    .orderBy('email')
    .execute();
  return { ...scope, userIds: rows.map((r) => r.id) };
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

export async function runBulk(
  ctx: BenchContext,
  opts: { users: number; eventsPerUser: number; concurrency: number; batchSize: number; largeUsers: number },
): Promise<BulkResult> {
  const { db, env, temporal, log } = ctx;
  const bench = ctx.data.tenants.bench;
  const scope = await seedBulkEnvironment(ctx, bench.tenantId, opts.users, opts.eventsPerUser);
  const scopeOnly = { tenantId: scope.tenantId, environmentId: scope.environmentId };

  // N single exports, `concurrency` in flight, as the service starts them.
  log(`bulk: ${opts.users} single exports, ${opts.concurrency} at a time`);
  const singles = new Map<string, string>();
  const t0 = performance.now();
  await pool(scope.userIds, opts.concurrency, async (userId) => {
    const exportId = randomUUID();
    const workflowId = `user-export-${exportId}`;
    await createQueuedExport(db, {
      id: exportId,
      scope: scopeOnly,
      userId,
      requestedBy: bench.adminId,
      workflowId,
      options: { format: 'csv', from: null, to: null },
    });
    const input: UserExportInput = { exportId, userId, ...scopeOnly, format: 'csv' };
    await startRegisteredWorkflow(temporal, 'UserExportWorkflow', { workflowId, args: [input], env, searchAttributes: exportStartSearchAttributes(input) });
    const result = (await temporal.workflow.result(workflowId)) as UserExportResult;
    if (result.status !== 'completed') throw new Error(`single export ${exportId} ended ${result.status}`);
    singles.set(userId, exportId);
  });
  const singlesMs = performance.now() - t0;
  const singleRows = await db
    .selectFrom('exports')
    .select(['user_id', 'object_key', 'bytes'])
    .where('id', 'in', [...singles.values()])
    .execute();
  const singlesZipBytes = singleRows.reduce((sum, r) => sum + (r.bytes ?? 0), 0);
  log(`bulk: singles took ${(singlesMs / 1000).toFixed(1)} s`);

  // One bulk export of the same users, as the service starts it.
  const t1 = performance.now();
  const { bulkExportId, workflowId, result } = await bulkExport(ctx, scopeOnly, opts);
  const bulkMs = performance.now() - t1;
  const bulk = await db.selectFrom('bulk_exports').selectAll().where('id', '=', bulkExportId).executeTakeFirstOrThrow();
  const lastChild = await db
    .selectFrom('exports')
    .select((eb) => eb.fn.max('completed_at').as('at'))
    .where('bulk_export_id', '=', bulkExportId)
    .executeTakeFirstOrThrow();
  const childrenMs = (lastChild.at as Date).getTime() - bulk.created_at.getTime();
  log(`bulk: bulk took ${(bulkMs / 1000).toFixed(1)} s in ${result.runs} runs`);

  // Bytes: each user's folder against the single export of that user.
  const zip = await readZip(await getObject(ctx.s3, env.S3_BUCKET, bulk.object_key!));
  const manifest = parseBulkManifest(zip.get(bulkManifestName)!);
  let filesCompared = 0;
  let bytesChecked = manifest.users.length === opts.users && bulk.users_done === opts.users;
  for (const user of manifest.users) {
    const single = singleRows.find((r) => r.user_id === user.userId);
    const singleManifest = parseExportManifest((await readZip(await getObject(ctx.s3, env.S3_BUCKET, single!.object_key!))).get(exportManifestName)!);
    for (const file of singleManifest.files) {
      const bytes = zip.get(`${user.folder}/${file.name}`);
      filesCompared++;
      if (!bytes || createHash('sha256').update(bytes).digest('hex') !== file.sha256) bytesChecked = false;
    }
  }

  const historyEvents = await historyPerRun(ctx, workflowId);

  // A larger bulk alone, for the parent's history (10,000 users in a full run).
  let large: BulkResult['large'];
  if (opts.largeUsers > 0) {
    const largeScope = await seedBulkEnvironment(ctx, bench.tenantId, opts.largeUsers, 1, 'bulk-large');
    log(`bulk: one bulk export of ${opts.largeUsers} users (1 event each) for its history`);
    const t2 = performance.now();
    const run = await bulkExport(ctx, { tenantId: largeScope.tenantId, environmentId: largeScope.environmentId }, opts);
    const ms = performance.now() - t2;
    large = { users: opts.largeUsers, ms, runs: run.result.runs, historyEvents: await historyPerRun(ctx, run.workflowId) };
    log(`bulk: ${opts.largeUsers} users took ${(ms / 1000).toFixed(1)} s in ${run.result.runs} runs, largest history ${large.historyEvents[0]} events`);
  }

  return {
    users: opts.users,
    eventsPerUser: opts.eventsPerUser,
    concurrency: opts.concurrency,
    batchSize: opts.batchSize,
    singlesMs,
    bulkMs,
    ratio: bulkMs / singlesMs,
    childrenMs,
    zipMs: (bulk.completed_at as Date).getTime() - (lastChild.at as Date).getTime(),
    singlesZipBytes,
    bulkZipBytes: bulk.bytes ?? 0,
    bytesChecked,
    filesCompared,
    runs: result.runs,
    historyEvents,
    large,
  };
}

/** Starts a bulk export of every user of `scope` as the service does, and waits for the last run's result. */
async function bulkExport(ctx: BenchContext, scope: Scope, opts: { concurrency: number; batchSize: number }) {
  const bulkExportId = randomUUID();
  const workflowId = `bulk-export-${bulkExportId}`;
  const usersTotal = await ctx.db.transaction().execute(async (tx) => {
    await insertBulkExport(tx, {
      id: bulkExportId,
      scope,
      requestedBy: ctx.data.tenants.bench.adminId,
      workflowId,
      all: true,
      options: { format: 'csv', from: null, to: null },
      usersTotal: 0,
    });
    const n = await insertBulkUsers(tx, scope, bulkExportId);
    await tx.updateTable('bulk_exports').set({ users_total: n }).where('id', '=', bulkExportId).execute();
    return n;
  });
  const input: BulkExportWorkflowInput = { bulkExportId, ...scope, format: 'csv', concurrency: opts.concurrency, batchSize: opts.batchSize };
  await startRegisteredWorkflow(ctx.temporal, 'BulkExportWorkflow', {
    workflowId,
    args: [input],
    env: ctx.env,
    searchAttributes: bulkExportStartSearchAttributes(scope),
  });
  const result = (await ctx.temporal.workflow.result(workflowId)) as BulkExportResult;
  const row = await ctx.db.selectFrom('bulk_exports').select(['status', 'users_done']).where('id', '=', bulkExportId).executeTakeFirstOrThrow();
  if (row.status !== 'completed' || row.users_done !== usersTotal)
    throw new Error(`bulk ${bulkExportId} ended ${row.status} with ${row.users_done} of ${usersTotal} users done`);
  return { bulkExportId, workflowId, result };
}

/** History events of each run of the chain, the largest first. */
async function historyPerRun(ctx: BenchContext, workflowId: string): Promise<number[]> {
  const events: number[] = [];
  for await (const run of ctx.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    events.push((await ctx.temporal.workflow.getHandle(workflowId, run.runId).fetchHistory()).events?.length ?? 0);
  }
  return events.sort((a, b) => b - a);
}
