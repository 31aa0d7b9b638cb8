import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import yauzl from 'yauzl';
import type { Db } from '../../lib/db/client';
import type { SharedEnv } from '../../lib/env';
import { type ArchivedFile, type ExportManifest, exportManifestName, parseExportManifest } from '../../lib/exports/archive/manifest';
import type { ExportFormatName, UserExportInput, UserExportResult } from '../../lib/exports/export.contracts';
import { createQueuedExport } from '../../lib/exports/export-lifecycle';
import { exportStartSearchAttributes } from '../../lib/temporal/search-attributes';
import { startRegisteredWorkflow } from '../../lib/temporal/start-workflow';
import type { BenchData, BenchUser } from './seed-bench-data';
import type { RssSampler, RssWindow } from './rss-sampler';
import { threadCpuSeconds, treeCpuSeconds } from './cpu-monitor';

/** What every bench step shares: the stack's clients, the seeded data, the worker's pid. */
export interface BenchContext {
  env: SharedEnv;
  db: Db;
  pool: pg.Pool;
  s3: S3Client;
  temporal: Client;
  data: BenchData;
  sampler: RssSampler;
  /** The worker's node process: its CPU time is read per product run. */
  workerPid: number;
  log: (line: string) => void;
}

export interface ProductRun {
  exportId: string;
  objectKey: string;
  ms: number;
  /** Where the time went (ms), from Temporal's history and the export row's timestamps. */
  steps: Record<ProductStep, number>;
  rows: number;
  zipBytes: number;
  heartbeats: number;
  rss: RssWindow;
  /** CPU time the worker's process tree used from the row insert to the result (every thread). */
  workerCpuMs: number;
  /** The same by thread group of the worker's node process (cpu-monitor.ts threadCpuSeconds), ms. */
  workerThreadCpuMs: Record<string, number>;
}

/**
 * The product's export through a real workflow on the real worker, started the way the
 * service starts it: an export row `queued`, then UserExportWorkflow on its registered task
 * queue with workflow id `user-export-<id>`. Timed from the row insert to the result.
 */
export async function productExport(ctx: BenchContext, user: BenchUser, adminId: string, format: ExportFormatName = 'csv'): Promise<ProductRun> {
  const exportId = randomUUID();
  const workflowId = `user-export-${exportId}`;
  const scope = { tenantId: user.tenantId, environmentId: user.environmentId };
  await ctx.sampler.reset();
  const cpu0 = treeCpuSeconds(ctx.workerPid);
  const threads0 = threadCpuSeconds(ctx.workerPid);
  const wall0 = Date.now();
  const started = performance.now();
  await createQueuedExport(ctx.db, { id: exportId, scope, userId: user.userId, requestedBy: adminId, workflowId, options: { format, from: null, to: null } });
  const input: UserExportInput = { exportId, userId: user.userId, ...scope, format };
  await startRegisteredWorkflow(ctx.temporal, 'UserExportWorkflow', {
    workflowId,
    args: [input],
    env: ctx.env,
    searchAttributes: exportStartSearchAttributes(input),
  });
  const result = (await ctx.temporal.workflow.result(workflowId)) as UserExportResult;
  const ms = performance.now() - started;
  const workerCpuMs = (treeCpuSeconds(ctx.workerPid) - cpu0) * 1000;
  const workerThreadCpuMs = Object.fromEntries(
    Object.entries(threadCpuSeconds(ctx.workerPid)).map(([name, seconds]) => [name, Math.round((seconds - (threads0[name] ?? 0)) * 1000)]),
  );
  const rss = await ctx.sampler.read();
  if (result.status !== 'completed') {
    throw new Error(`export ${exportId} ended ${result.status}: ${'errorSummary' in result ? result.errorSummary : ''}`);
  }
  const steps = await productSteps(ctx, exportId, wall0, ms);
  // The file's facts live on the export row; the workflow result carries only the heartbeat count.
  const row = await ctx.db
    .selectFrom('exports')
    .select(['object_key', 'rows_exported', 'bytes'])
    .where('tenant_id', '=', scope.tenantId)
    .where('environment_id', '=', scope.environmentId)
    .where('id', '=', exportId)
    .executeTakeFirstOrThrow();
  return {
    exportId,
    objectKey: row.object_key!,
    ms,
    steps,
    rows: Number(row.rows_exported),
    zipBytes: row.bytes ?? 0,
    heartbeats: result.heartbeats ?? 0,
    rss,
    workerCpuMs,
    workerThreadCpuMs,
  };
}

export const productStepNames = [
  ['toActivity', 'row insert + workflow start → activity started (Temporal)'],
  ['toRunning', 'activity started → export row running (input check, event count, mark running)'],
  ['export', 'export row running → completed (runExport: the streaming export, HeadObject, status update)'],
  ['toResult', 'row completed → workflow result received (activity completion, last workflow task)'],
] as const;
export type ProductStep = (typeof productStepNames)[number][0];

/** History event types (temporal.api.enums.v1.EventType). */
export const EventType = { workflowStarted: 1, workflowTaskStarted: 6, workflowTaskCompleted: 7, activityStarted: 11 } as const;

/** Milliseconds since `wall0` of the first history event of `type`. */
export async function historyTimes(ctx: BenchContext, workflowId: string, wall0: number): Promise<(type: number) => number> {
  const history = await ctx.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (type) => {
    const time = history.events?.find((e) => e.eventType === type)?.eventTime;
    return time ? Number(time.seconds) * 1000 + (time.nanos ?? 0) / 1e6 - wall0 : Number.NaN;
  };
}

async function productSteps(ctx: BenchContext, exportId: string, wall0: number, ms: number): Promise<Record<ProductStep, number>> {
  const at = await historyTimes(ctx, `user-export-${exportId}`, wall0);
  const row = await ctx.db.selectFrom('exports').select(['started_at', 'completed_at']).where('id', '=', exportId).executeTakeFirstOrThrow();
  const activity = at(EventType.activityStarted);
  const running = row.started_at!.getTime() - wall0;
  const completed = row.completed_at!.getTime() - wall0;
  return { toActivity: activity, toRunning: running - activity, export: completed - running, toResult: ms - completed };
}

export async function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** manifest.json of an export ZIP (the last entry; read from the central directory). */
export function readManifest(zip: Buffer): Promise<{ files: ArchivedFile[]; entries: string[] }> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error || !file) return reject(error ?? new Error('not a zip'));
      const entries: string[] = [];
      let manifest: ExportManifest | undefined;
      file.on('entry', (entry: yauzl.Entry) => {
        entries.push(entry.fileName);
        if (entry.fileName !== exportManifestName) return file.readEntry();
        file.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            manifest = parseExportManifest(Buffer.concat(chunks));
            file.readEntry();
          });
          stream.on('error', reject);
        });
      });
      file.on('end', () => (manifest ? resolve({ files: manifest.files, entries }) : reject(new Error('no manifest.json in the zip'))));
      file.on('error', reject);
      file.readEntry();
    });
  });
}
