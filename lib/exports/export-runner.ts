import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { retryTransient } from '../retry';
import { abortOpenUploads, objectSize, uploadStream } from '../storage/multipart-upload';
import type { ExportFileResult, UserExportInput } from './export.contracts';
import { createExportArchive } from './export-archive';
import { findExportSubject } from './export-context.repository';
import { exportFileName, exportObjectKey } from './export-file-name';
import { streamEventsCsv } from './events-copy';
import { profileCsv } from './profile-csv';

export interface ExportRunnerDeps {
  db: Db;
  /** The pool behind `db`: COPY streams need a raw client. */
  pool: pg.Pool;
  s3: S3Client;
  bucket: string;
}

export interface ExportRunOptions {
  signal?: AbortSignal;
  /** Called about once a second with the event rows written so far. */
  onProgress?: (rowsExported: number) => void;
  progressIntervalMs?: number;
  partSize?: number;
  queueSize?: number;
  compressionLevel?: number;
}

/**
 * Writes one user's export: Postgres → CSV → ZIP → S3 multipart, streaming, so memory
 * stays flat whatever the user's size. Each call starts a fresh upload; the object key is
 * per export, so a retry replaces rather than duplicates. Returns only after S3 reports
 * the object's size equal to the bytes written.
 */
export async function runExport(deps: ExportRunnerDeps, input: UserExportInput, options: ExportRunOptions = {}): Promise<ExportFileResult> {
  const subject = await retryTransient(() => findExportSubject(deps.db, input), { signal: options.signal });
  if (!subject) {
    throw new AppError('not_found', `User ${input.userId} was not found in this environment`, 'The user may have been deleted; refresh the users list.');
  }
  const generatedAt = new Date();
  const objectKey = exportObjectKey(input);
  const fileName = exportFileName({ tenantSlug: subject.tenant_slug, environmentSlug: subject.environment_slug, userId: subject.id, at: generatedAt });

  // A previous attempt killed mid-upload leaves its multipart upload open: close it first.
  await abortOpenUploads(deps.s3, deps.bucket, objectKey);

  const client = await retryTransient(() => deps.pool.connect(), { signal: options.signal });
  let progressTimer: NodeJS.Timeout | undefined;
  let failed = false;
  try {
    const archive = createExportArchive({
      profileCsv: profileCsv(subject),
      eventsCsv: streamEventsCsv(client, input),
      level: options.compressionLevel,
      manifest: (files) => ({
        formatVersion: 1,
        tenant: { id: input.tenantId, slug: subject.tenant_slug },
        environment: { id: input.environmentId, slug: subject.environment_slug },
        userId: subject.id,
        generatedAt: generatedAt.toISOString(),
        files,
      }),
    });
    const onAbort = () => archive.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.onProgress) {
      const report = options.onProgress;
      progressTimer = setInterval(() => report(Math.max(0, archive.events.records - 1)), options.progressIntervalMs ?? 1_000);
    }
    // uploadStream aborts its own multipart upload when it fails; see the catch below.
    const uploading = uploadStream({
      client: deps.s3,
      bucket: deps.bucket,
      key: objectKey,
      body: archive.zip,
      contentType: 'application/zip',
      signal: options.signal,
      partSize: options.partSize,
      queueSize: options.queueSize,
    });
    try {
      const [uploaded, files] = await Promise.all([uploading, archive.done]);
      options.signal?.throwIfAborted();
      const stored = await objectSize(deps.s3, deps.bucket, objectKey);
      if (stored !== uploaded.bytes) {
        throw new Error(`Stored object is ${stored ?? 'missing'} bytes but ${uploaded.bytes} were written`);
      }
      const rows = files.find((f) => f.name === 'events.csv')?.rows ?? 0;
      return { objectKey, fileName, rows, bytes: uploaded.bytes, sha256: uploaded.sha256 };
    } catch (error) {
      // The upload aborts itself once its body fails: make sure the body fails (the archive
      // may have broken first), then wait for that abort, so the attempt ends with no open
      // multipart upload and without aborting a second time here.
      archive.zip.destroy(error instanceof Error ? error : new Error(String(error)));
      await uploading.catch(() => {});
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    clearInterval(progressTimer);
    // A client whose COPY was cut short is in an unknown state: discard it.
    client.release(failed || undefined);
  }
}
