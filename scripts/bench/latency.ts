import { randomUUID } from 'node:crypto';
import { runExport } from '../../lib/exports/export-runner';
import { ageCompletedExports } from './age-exports';
import { ApiSession } from './api-session';
import { deleteObject, EventType, historyTimes, type BenchContext } from './bench-context';
import { formatMs, round, summarize, type Summary } from './stats';

/**
 * Small-export latency: POST /api/users/{id}/exports → `completed` seen through
 * GET /api/exports/{id} (polled every ~20 ms), against runExport called in this process for
 * the same user (the same streaming export, with no HTTP, no Temporal, no export row).
 * Interleaved D P D P …; the overhead is product p50 − direct p50.
 */

export interface LatencyResult {
  runs: number;
  userEvents: number;
  pollIntervalMs: number;
  direct: Summary;
  product: Summary;
  overheadP50Ms: number;
  overheadP95Ms: number;
  /** How long POST /api/users/{id}/exports took to answer. */
  postResponse: Summary;
  /**
   * Where the product's time goes, in order, from the request's start: Temporal's history
   * event times and the export row's timestamps (one machine, one clock).
   */
  phases: { name: string; ms: Summary }[];
  directRuns: number[];
  productRuns: number[];
}

const pollIntervalMs = 20;

const phaseNames = [
  'request → workflow started (web app: session, export row, audit, start call)',
  'workflow started → first workflow task picked up by the worker',
  'first workflow task (workflow code runs, schedules the activity)',
  'activity scheduled → activity started',
  'activity start → export row running (input check, event count, mark running)',
  'export row running → completed (streaming export + status update)',
  'row completed → seen by the poll (GET every 20 ms)',
];

export async function runLatency(ctx: BenchContext, opts: { appUrl: string; runs: number; warmup: number; password: string }): Promise<LatencyResult> {
  const user = ctx.data.latencyUser;
  const session = await ApiSession.signIn(opts.appUrl, ctx.data.tenants.acme.adminEmail, opts.password);
  const deps = { db: ctx.db, pool: ctx.pool, s3: ctx.s3, bucket: ctx.env.S3_BUCKET };

  const direct = async () => {
    const started = performance.now();
    const file = await runExport(deps, { exportId: randomUUID(), tenantId: user.tenantId, environmentId: user.environmentId, userId: user.userId });
    const ms = performance.now() - started;
    await deleteObject(ctx.s3, ctx.env.S3_BUCKET, file.objectKey);
    return ms;
  };

  const product = async () => {
    // Each run is a new request, not a repeated click of the previous run's.
    await ageCompletedExports(ctx.db, [user.userId]);
    const wall0 = Date.now();
    const started = performance.now();
    const posted = await session.requestExport(user.userId);
    const postMs = performance.now() - started;
    // 200 would be a deduplicated answer (an earlier export handed back): not a new export.
    if (posted.status !== 202 || !posted.export) throw new Error(`POST export: HTTP ${posted.status} ${JSON.stringify(posted.error)}`);
    const id = posted.export.id;
    for (;;) {
      const polled = performance.now();
      const dto = await session.getExport(id);
      if (dto.status === 'completed') break;
      if (dto.status !== 'queued' && dto.status !== 'running') throw new Error(`export ${id} ended ${dto.status}: ${dto.errorSummary}`);
      const wait = pollIntervalMs - (performance.now() - polled);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const ms = performance.now() - started;
    // Untimed: let the workflow finish (so runs do not overlap), then read its history.
    const workflowId = `user-export-${id}`;
    await ctx.temporal.workflow.result(workflowId);
    const at = await historyTimes(ctx, workflowId, wall0);
    const row = await ctx.db.selectFrom('exports').select(['started_at', 'completed_at', 'object_key']).where('id', '=', id).executeTakeFirstOrThrow();
    await deleteObject(ctx.s3, ctx.env.S3_BUCKET, row.object_key!);
    const marks = [
      0,
      at(EventType.workflowStarted),
      at(EventType.workflowTaskStarted),
      at(EventType.workflowTaskCompleted),
      at(EventType.activityStarted),
      row.started_at!.getTime() - wall0,
      row.completed_at!.getTime() - wall0,
      ms,
    ];
    return { ms, postMs, steps: marks.slice(1).map((m, i) => m - marks[i]!) };
  };

  for (let i = 0; i < opts.warmup; i++) {
    await direct();
    await product();
  }
  const d: number[] = [];
  const p: Awaited<ReturnType<typeof product>>[] = [];
  for (let i = 0; i < opts.runs; i++) {
    d.push(await direct());
    p.push(await product());
    if ((i + 1) % 10 === 0)
      ctx.log(`latency ${i + 1}/${opts.runs}: direct p50 ${formatMs(summarize(d).median)}, product p50 ${formatMs(summarize(p.map((r) => r.ms)).median)}`);
  }
  const directSummary = summarize(d);
  const productSummary = summarize(p.map((r) => r.ms));
  return {
    runs: opts.runs,
    userEvents: user.events,
    pollIntervalMs,
    direct: directSummary,
    product: productSummary,
    overheadP50Ms: productSummary.median - directSummary.median,
    overheadP95Ms: productSummary.p95 - directSummary.p95,
    postResponse: summarize(p.map((r) => r.postMs)),
    phases: phaseNames.map((name, i) => ({ name, ms: summarize(p.map((r) => r.steps[i]!)) })),
    directRuns: d.map((v) => round(v)),
    productRuns: p.map((r) => round(r.ms)),
  };
}
