import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { createExportArchive, eventsFileName, zipCompressionLevel } from '../../lib/exports/archive/zip-archive';
import { zipContainer } from '../../lib/exports/archive/zip-container';
import type { EventsQuery } from '../../lib/exports/events-copy';
import { exportFormat } from '../../lib/exports/formats';
import type { ExportFormat, ProfileRow } from '../../lib/exports/formats/export-format';
import { uploadStream } from '../../lib/storage/multipart-upload';

/**
 * The throughput baseline of SPEC §9: `COPY (…) TO STDOUT` → the same ZIP writer at the
 * same compression level → the same multipart upload, with no framework around it: no
 * Temporal, no export row, no status or progress updates, no heartbeats, no open-upload
 * sweep and no HeadObject check. It writes the same file content as the product (same
 * SQL, so the same RFC 3339 times and formula guard; same profile.csv and manifest).
 * `copySql` swaps the SQL only: the raw-COPY baseline (raw-copy-sql.ts) runs through here.
 * `format` picks the export format (csv by default): the jsonl ÷ csv row compares two runs of this.
 */

export interface BaselineSubject {
  tenantId: string;
  tenantSlug: string;
  environmentId: string;
  environmentSlug: string;
  profile: ProfileRow;
}

export interface BaselineResult {
  rows: number;
  /** Uncompressed events.csv bytes, header included. */
  csvBytes: number;
  zipBytes: number;
  sha256: string;
  ms: number;
  /** CPU time of this (the bench's) process over the run, every thread: the product's workerCpuMs compares with it. */
  cpuMs: number;
}

export async function baselineExport(
  deps: { pool: pg.Pool; s3: S3Client; bucket: string },
  subject: BaselineSubject,
  key: string,
  options: { compressionLevel?: number; partSize?: number; queueSize?: number; copySql?: (query: EventsQuery) => string; format?: ExportFormat } = {},
): Promise<BaselineResult> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const client = await deps.pool.connect();
  let failed = false;
  try {
    const scope = { tenantId: subject.tenantId, environmentId: subject.environmentId, userId: subject.profile.id };
    const format = options.format ?? exportFormat('csv');
    const archive = createExportArchive({
      format,
      profile: subject.profile,
      events: client.query(copyTo((options.copySql ?? format.eventsCopySql)(scope))),
      level: options.compressionLevel ?? zipCompressionLevel,
      manifest: (files) => ({
        formatVersion: 1,
        format: format.name,
        formatDetails: format.manifest,
        range: null,
        tenant: { id: subject.tenantId, slug: subject.tenantSlug },
        environment: { id: subject.environmentId, slug: subject.environmentSlug },
        userId: subject.profile.id,
        generatedAt: new Date().toISOString(),
        files,
      }),
    });
    const [uploaded, files] = await Promise.all([
      uploadStream({
        client: deps.s3,
        bucket: deps.bucket,
        key,
        body: archive.zip,
        contentType: zipContainer.contentType,
        partSize: options.partSize,
        queueSize: options.queueSize,
      }),
      archive.done,
    ]);
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const rows = files.find((f) => f.name === eventsFileName(format))?.rows ?? 0;
    return { rows, csvBytes: archive.events.bytes, zipBytes: uploaded.bytes, sha256: uploaded.sha256, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    client.release(failed || undefined);
  }
}
