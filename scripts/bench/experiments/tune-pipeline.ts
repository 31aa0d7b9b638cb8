import { randomUUID } from 'node:crypto';
import { findExportSubject } from '../../../lib/exports/export-context.repository';
import { createQueuedExport, markExportCancelled, markExportRunning, recordExportProgress } from '../../../lib/exports/export-lifecycle';
import { runExport, type ExportRunOptions } from '../../../lib/exports/export-runner';
import { baselineExport } from '../baseline-export';
import { deleteObject, type BenchContext } from '../bench-context';
import { compactCount, formatMs, round, summarize, type Summary } from '../stats';

/**
 * `npm run bench -- --only=tuning`: the knobs of runExport, each against the baseline in
 * the same run (B V B V …), in this process and without Temporal, on the largest size. It
 * separates what the streaming pipeline's settings do (both sides would move alike) from
 * what the product adds around it. Compression levels other than 6 change the ZIP's bytes
 * (not the files in it); they are measured for reference, the product keeps level 6.
 */

export interface TuningVariant {
  name: string;
  options: ExportRunOptions & { progressUpdates?: boolean };
  ms: Summary;
  /** variant rows/s ÷ baseline rows/s, from the medians of the interleaved runs. */
  ratio: number;
  zipBytes: number;
}

export interface TuningResult {
  events: number;
  reps: number;
  baselineMs: Summary;
  variants: TuningVariant[];
}

const MiB = 1024 * 1024;
const variants: { name: string; options: TuningVariant['options'] }[] = [
  { name: 'runExport, product defaults (8 MiB parts, 2 in flight, level 6), no progress', options: {} },
  { name: 'defaults + progress row update every 1 s (as the activity)', options: { progressUpdates: true } },
  { name: 'progress row update every 250 ms', options: { progressUpdates: true, progressIntervalMs: 250 } },
  { name: 'partSize 5 MiB (S3 minimum)', options: { partSize: 5 * MiB } },
  { name: 'partSize 16 MiB', options: { partSize: 16 * MiB } },
  { name: 'partSize 32 MiB', options: { partSize: 32 * MiB } },
  { name: 'queueSize 1', options: { queueSize: 1 } },
  { name: 'queueSize 4', options: { queueSize: 4 } },
  { name: 'compression level 1 (other bytes; reference only)', options: { compressionLevel: 1 } },
  { name: 'compression level 9 (other bytes; reference only)', options: { compressionLevel: 9 } },
];

export async function runTuning(ctx: BenchContext, opts: { reps: number }): Promise<TuningResult> {
  const user = ctx.data.sizes.at(-1)!;
  const subject = await findExportSubject(ctx.db, user);
  if (!subject) throw new Error('bench user missing');
  const deps = { db: ctx.db, pool: ctx.pool, s3: ctx.s3, bucket: ctx.env.S3_BUCKET };
  const baseSubject = {
    tenantId: user.tenantId,
    tenantSlug: subject.tenant_slug,
    environmentId: user.environmentId,
    environmentSlug: subject.environment_slug,
    profile: subject,
  };
  const baseline = async () => {
    const key = `bench-baseline/${randomUUID()}.zip`;
    const r = await baselineExport(deps, baseSubject, key);
    await deleteObject(ctx.s3, ctx.env.S3_BUCKET, key);
    return r.ms;
  };
  const variant = async (options: TuningVariant['options']) => {
    const exportId = randomUUID();
    const scope = { tenantId: user.tenantId, environmentId: user.environmentId };
    const { progressUpdates, ...runOptions } = options;
    if (progressUpdates) {
      await createQueuedExport(ctx.db, {
        id: exportId,
        scope,
        userId: user.userId,
        requestedBy: ctx.data.tenants.bench.adminId,
        workflowId: `bench-tuning-${exportId}`,
      });
      await markExportRunning(ctx.db, scope, exportId, 0);
    }
    const started = performance.now();
    const file = await runExport(
      deps,
      { exportId, userId: user.userId, ...scope },
      {
        ...runOptions,
        onProgress: progressUpdates ? (rows) => void recordExportProgress(ctx.db, scope, exportId, rows).catch(() => {}) : undefined,
      },
    );
    const ms = performance.now() - started;
    await deleteObject(ctx.s3, ctx.env.S3_BUCKET, file.objectKey);
    if (progressUpdates) await markExportCancelled(ctx.db, scope, exportId);
    return { ms, zipBytes: file.bytes };
  };

  await baseline(); // warm cache
  const base: number[] = [];
  const results: TuningVariant[] = [];
  for (const v of variants) {
    const runs: number[] = [];
    const pairedBase: number[] = [];
    let zipBytes = 0;
    for (let rep = 0; rep < opts.reps; rep++) {
      const b = await baseline();
      const r = await variant(v.options);
      base.push(b);
      pairedBase.push(b);
      runs.push(r.ms);
      zipBytes = r.zipBytes;
    }
    const ms = summarize(runs);
    const ratio = summarize(pairedBase).median / ms.median;
    ctx.log(`tuning ${compactCount(user.events)}: ${v.name}: ${formatMs(ms.median)} (ratio ${ratio.toFixed(2)})`);
    results.push({ name: v.name, options: v.options, ms, ratio: round(ratio, 3), zipBytes });
  }
  return { events: user.events, reps: opts.reps, baselineMs: summarize(base), variants: results };
}
