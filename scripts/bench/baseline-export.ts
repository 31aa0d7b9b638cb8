import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { eventsCopySql } from '../../lib/exports/events-copy';
import { createExportArchive, zipCompressionLevel } from '../../lib/exports/export-archive';
import { profileCsv, type ProfileRow } from '../../lib/exports/profile-csv';
import { uploadStream } from '../../lib/storage/multipart-upload';

/**
 * The throughput baseline of SPEC §9: `COPY (…) TO STDOUT` → the same ZIP writer at the
 * same compression level → the same multipart upload, with no framework around it: no
 * Temporal, no export row, no status or progress updates, no heartbeats, no open-upload
 * sweep and no HeadObject check. It writes the same file content as the product (same
 * SQL, so the same RFC 3339 times and formula guard; same profile.csv and manifest).
 * `copySql` swaps the SQL only: the raw-COPY baseline (raw-copy-sql.ts) runs through here.
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
}

export async function baselineExport(
  deps: { pool: pg.Pool; s3: S3Client; bucket: string },
  subject: BaselineSubject,
  key: string,
  options: { compressionLevel?: number; partSize?: number; queueSize?: number; copySql?: typeof eventsCopySql } = {},
): Promise<BaselineResult> {
  const started = performance.now();
  const client = await deps.pool.connect();
  let failed = false;
  try {
    const scope = { tenantId: subject.tenantId, environmentId: subject.environmentId, userId: subject.profile.id };
    const archive = createExportArchive({
      profileCsv: profileCsv(subject.profile),
      eventsCsv: client.query(copyTo((options.copySql ?? eventsCopySql)(scope))),
      level: options.compressionLevel ?? zipCompressionLevel,
      manifest: (files) => ({
        formatVersion: 1,
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
        contentType: 'application/zip',
        partSize: options.partSize,
        queueSize: options.queueSize,
      }),
      archive.done,
    ]);
    const ms = performance.now() - started;
    const rows = files.find((f) => f.name === 'events.csv')?.rows ?? 0;
    return { rows, csvBytes: archive.events.bytes, zipBytes: uploaded.bytes, sha256: uploaded.sha256, ms };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    client.release(failed || undefined);
  }
}
