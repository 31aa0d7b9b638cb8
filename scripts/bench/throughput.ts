import { randomUUID } from 'node:crypto';
import { findExportSubject } from '../../lib/exports/export-context.repository';
import { baselineExport, type BaselineSubject } from './baseline-export';
import { rawEventsCopySql } from './raw-copy-sql';
import { deleteObject, getObject, productExport, productStepNames, readManifest, type BenchContext, type ProductRun, type ProductStep } from './bench-context';
import type { BenchUser } from './seed-bench-data';
import { threadCpuSeconds } from './cpu-monitor';
import { compactCount, formatMs, mb, round, summarize, type Summary } from './stats';

/**
 * Large-export throughput: baseline (bare COPY → ZIP → multipart, in this process) and the
 * raw-COPY baseline (the same with plain `COPY … CSV`, no formatting or guard) against the
 * product (a real workflow on the real worker), interleaved B R P B R P … per size, medians
 * and spread reported. Baseline and product write the same content; the first round of each
 * size proves it by comparing the ZIPs' manifests (row counts and sha256 of every file).
 * Each round also runs the product in the jsonl format (issue 12: jsonl rows/s ≥ 0.8 × csv
 * rows/s of the same run), so the round is B R P J.
 */

export interface ThroughputSize {
  events: number;
  reps: number;
  csvBytes: number;
  zipBytes: number;
  baselineMs: Summary;
  productMs: Summary;
  /** The raw-COPY baseline (raw-copy-sql.ts): same ZIP writer and upload, plain CSV. */
  rawMs: Summary;
  rawCsvBytes: number;
  /** product time ÷ raw-COPY time, from the medians (issue 10: ≤ 1.3 at 1M). */
  productOverRaw: number;
  /** The same per B/R/P round, for the spread. */
  productOverRawPerRound: number[];
  baselineRowsPerSec: number;
  productRowsPerSec: number;
  baselineCsvMBPerSec: number;
  productCsvMBPerSec: number;
  /** product rows/s ÷ baseline rows/s, from the medians. */
  ratio: number;
  /** The same ratio per B/P pair, for the spread. */
  pairRatios: number[];
  heartbeats: number[];
  /** Peak VmRSS summed over the worker's process tree, per product run (MB). */
  peakRssTreeMB: number[];
  /** Peak VmRSS of the worker's node process alone, per product run (MB). */
  peakRssWorkerMB: number[];
  sameContent: boolean;
  /** Medians of where the product's time went (see productStepNames). */
  productSteps: Record<ProductStep, number>;
  baselineRuns: number[];
  rawRuns: number[];
  productRuns: number[];
  /** CPU time per run: the bench process for the baseline, the worker's tree for the product. */
  baselineCpuMs: Summary;
  productCpuMs: Summary;
  /** product CPU ÷ baseline CPU per pair: the framework's cost in CPU, which the machine's other work moves far less than wall time. */
  cpuRatios: number[];
  /** Median CPU of the worker's thread groups per product run (ms): where its CPU goes. */
  productThreadCpuMs: Record<string, number>;
  /** The product exporting the same user as jsonl, in the same rounds. */
  jsonlMs: Summary;
  jsonlZipBytes: number;
  /** jsonl rows/s ÷ csv rows/s of the product, from the medians (issue 12: ≥ 0.8 at 1M). */
  jsonlOverCsv: number;
  jsonlOverCsvPerRound: number[];
  jsonlRuns: number[];
}

export async function runThroughput(ctx: BenchContext, opts: { reps: number }): Promise<ThroughputSize[]> {
  const admin = ctx.data.tenants.bench.adminId;
  const results: ThroughputSize[] = [];

  // Warm the worker (first workflow, pool, S3 connections) and this process alike.
  const smallest = ctx.data.sizes[0]!;
  const subjects = new Map<string, BaselineSubject>();
  for (const user of ctx.data.sizes) subjects.set(user.userId, await subjectOf(ctx, user));
  ctx.log(`warm-up: one baseline and one product export of ${compactCount(smallest.events)} events`);
  await discard(ctx, await baseline(ctx, subjects.get(smallest.userId)!));
  await discard(ctx, await productExport(ctx, smallest, admin));

  for (const user of ctx.data.sizes) {
    const subject = subjects.get(user.userId)!;
    const reps = opts.reps;
    // An untimed baseline first: both sides then read the user's rows from a warm cache.
    await discard(ctx, await baseline(ctx, subject));
    const b: Awaited<ReturnType<typeof baseline>>[] = [];
    const raw: Awaited<ReturnType<typeof baseline>>[] = [];
    const p: ProductRun[] = [];
    const j: ProductRun[] = [];
    let sameContent = true;
    for (let rep = 0; rep < reps; rep++) {
      const base = await baseline(ctx, subject);
      const rawRun = await baseline(ctx, subject, true);
      const prod = await productExport(ctx, user, admin);
      const jsonl = await productExport(ctx, user, admin, 'jsonl');
      if (prod.rows !== user.events || base.rows !== user.events || rawRun.rows !== user.events || jsonl.rows !== user.events) {
        throw new Error(`row count mismatch at ${user.events}: baseline ${base.rows}, raw COPY ${rawRun.rows}, product ${prod.rows}, jsonl ${jsonl.rows}`);
      }
      ctx.log(
        `${compactCount(user.events).padStart(5)} rep ${rep + 1}/${reps}: baseline ${formatMs(base.ms)}, raw COPY ${formatMs(rawRun.ms)}, product ${formatMs(prod.ms)} ` +
          `jsonl ${formatMs(jsonl.ms)} (ratio ${(base.ms / prod.ms).toFixed(2)}, CPU baseline ${formatMs(base.cpuMs)} (${threadsNote(base.threadCpuMs)}) / product worker ${formatMs(prod.workerCpuMs)} (${threadsNote(prod.workerThreadCpuMs)}), product ÷ raw ${(prod.ms / rawRun.ms).toFixed(2)}, jsonl ÷ csv rows/s ${(prod.ms / jsonl.ms).toFixed(2)}, worker peak ${mb(prod.rss.peakTreeBytes).toFixed(0)} MB, ${prod.heartbeats} heartbeats)`,
      );
      if (rep === 0) sameContent = await compareContent(ctx, base.key, prod.objectKey);
      await discard(ctx, base);
      await discard(ctx, rawRun);
      await discard(ctx, prod);
      await discard(ctx, jsonl);
      j.push(jsonl);
      b.push(base);
      raw.push(rawRun);
      p.push(prod);
    }
    const baselineMs = summarize(b.map((r) => r.ms));
    const productMs = summarize(p.map((r) => r.ms));
    const rawMs = summarize(raw.map((r) => r.ms));
    const jsonlMs = summarize(j.map((r) => r.ms));
    const csvBytes = b[0]!.csvBytes;
    results.push({
      events: user.events,
      reps,
      csvBytes,
      zipBytes: p[0]!.zipBytes,
      baselineMs,
      productMs,
      rawMs,
      rawCsvBytes: raw[0]!.csvBytes,
      productOverRaw: productMs.median / rawMs.median,
      productOverRawPerRound: p.map((r, i) => round(r.ms / raw[i]!.ms, 3)),
      baselineRowsPerSec: user.events / (baselineMs.median / 1000),
      productRowsPerSec: user.events / (productMs.median / 1000),
      baselineCsvMBPerSec: mb(csvBytes) / (baselineMs.median / 1000),
      productCsvMBPerSec: mb(csvBytes) / (productMs.median / 1000),
      ratio: baselineMs.median / productMs.median,
      pairRatios: b.map((r, i) => round(r.ms / p[i]!.ms, 3)),
      heartbeats: p.map((r) => r.heartbeats),
      peakRssTreeMB: p.map((r) => round(mb(r.rss.peakTreeBytes))),
      peakRssWorkerMB: p.map((r) => round(mb(r.rss.peakProcessBytes))),
      sameContent,
      productSteps: Object.fromEntries(productStepNames.map(([key]) => [key, round(summarize(p.map((r) => r.steps[key])).median)])) as Record<
        ProductStep,
        number
      >,
      baselineRuns: b.map((r) => round(r.ms)),
      rawRuns: raw.map((r) => round(r.ms)),
      productRuns: p.map((r) => round(r.ms)),
      baselineCpuMs: summarize(b.map((r) => r.cpuMs)),
      productCpuMs: summarize(p.map((r) => r.workerCpuMs)),
      cpuRatios: p.map((r, i) => round(r.workerCpuMs / b[i]!.cpuMs, 3)),
      productThreadCpuMs: Object.fromEntries(
        [...new Set(p.flatMap((r) => Object.keys(r.workerThreadCpuMs)))].map((name) => [
          name,
          round(summarize(p.map((r) => r.workerThreadCpuMs[name] ?? 0)).median),
        ]),
      ),
      jsonlMs,
      jsonlZipBytes: j[0]!.zipBytes,
      jsonlOverCsv: productMs.median / jsonlMs.median,
      jsonlOverCsvPerRound: p.map((r, i) => round(r.ms / j[i]!.ms, 3)),
      jsonlRuns: j.map((r) => round(r.ms)),
    });
  }
  return results;
}

/** `main 2.1 s, node 1.2 s, …`: the thread groups that used more than 20 ms. */
function threadsNote(ms: Record<string, number>): string {
  return Object.entries(ms)
    .filter(([, v]) => v > 20)
    .sort((a, b) => b[1] - a[1])
    .map(([name, v]) => `${name} ${formatMs(v)}`)
    .join(', ');
}

async function subjectOf(ctx: BenchContext, user: BenchUser): Promise<BaselineSubject> {
  const subject = await findExportSubject(ctx.db, user);
  if (!subject) throw new Error(`bench user ${user.userId} not found`);
  return {
    tenantId: user.tenantId,
    tenantSlug: subject.tenant_slug,
    environmentId: user.environmentId,
    environmentSlug: subject.environment_slug,
    profile: subject,
  };
}

/** The SPEC §9 baseline, or with `raw` the raw-COPY one (same path, plain SQL). */
async function baseline(ctx: BenchContext, subject: BaselineSubject, raw = false) {
  const key = `bench-baseline/${randomUUID()}.zip`;
  const threads0 = threadCpuSeconds(process.pid);
  const result = await baselineExport({ pool: ctx.pool, s3: ctx.s3, bucket: ctx.env.S3_BUCKET }, subject, key, raw ? { copySql: rawEventsCopySql } : {});
  const threadCpuMs = Object.fromEntries(
    Object.entries(threadCpuSeconds(process.pid)).map(([name, seconds]) => [name, Math.round((seconds - (threads0[name] ?? 0)) * 1000)]),
  );
  return { ...result, key, threadCpuMs };
}

/** Same content: identical files (names, row counts, sha256 of each file's bytes). */
async function compareContent(ctx: BenchContext, baselineKey: string, productKey: string): Promise<boolean> {
  const [a, b] = await Promise.all([getObject(ctx.s3, ctx.env.S3_BUCKET, baselineKey), getObject(ctx.s3, ctx.env.S3_BUCKET, productKey)]);
  const [fromBaseline, fromProduct] = await Promise.all([readManifest(a), readManifest(b)]);
  const same = JSON.stringify(fromBaseline) === JSON.stringify(fromProduct);
  if (!same) ctx.log(`WARNING: baseline and product files differ:\n  ${JSON.stringify(fromBaseline)}\n  ${JSON.stringify(fromProduct)}`);
  return same;
}

async function discard(ctx: BenchContext, run: { key: string } | { objectKey: string }): Promise<void> {
  await deleteObject(ctx.s3, ctx.env.S3_BUCKET, 'key' in run ? run.key : run.objectKey);
}
