import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { retryTransient } from '../retry';
import { abortOpenUploadsUnder, deleteObject, objectSize, uploadStream } from '../storage/multipart-upload';
import type { ExportFileResult, UserExportInput } from './export.contracts';
import { createExportArchive } from './export-archive';
import { findExportSubject } from './export-context.repository';
import { attemptOfObjectKey, exportFileName, exportObjectKey, exportObjectPrefix } from './export-file-name';
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
  /** Temporal's attempt number (1 when not run by Temporal): in the object key, and it fences out earlier attempts' uploads. */
  attempt?: number;
  /** Called about once a second with the event rows and ZIP bytes written so far. */
  onProgress?: (rowsExported: number, bytesWritten: number) => void;
  progressIntervalMs?: number;
  partSize?: number;
  queueSize?: number;
  compressionLevel?: number;
}

/**
 * Writes one user's export: Postgres → CSV → ZIP → S3 multipart, streaming, so memory
 * stays flat whatever the user's size. Each call writes its own object key, so an attempt
 * never aborts or overwrites another's; the attempt that loses the completion deletes its
 * object (export-completion.ts). Returns only after S3 reports the object's size equal to
 * the bytes written; if it throws after the upload finished (a cancel, a size mismatch) it
 * deletes the object first, so a cancelled export leaves no file behind.
 */
export async function runExport(deps: ExportRunnerDeps, input: UserExportInput, options: ExportRunOptions = {}): Promise<ExportFileResult> {
  const subject = await retryTransient(() => findExportSubject(deps.db, input), { signal: options.signal });
  if (!subject) {
    throw new AppError('not_found', `User ${input.userId} was not found in this environment`, 'The user may have been deleted; refresh the users list.');
  }
  const generatedAt = new Date();
  const attempt = options.attempt ?? 1;
  // The random token keeps keys apart even if an attempt number repeats (a workflow reset).
  const objectKey = exportObjectKey(input, { number: attempt, token: randomUUID().slice(0, 8) });
  const fileName = exportFileName({ tenantSlug: subject.tenant_slug, environmentSlug: subject.environment_slug, userId: subject.id, at: generatedAt });

  // Earlier attempts were given up by Temporal: a killed one left its upload open, a cut-off
  // one may still be writing. Aborting theirs (never a later attempt's, never our own key)
  // closes the first and fences out the second; what the last attempt of all leaves is for
  // the bucket's AbortIncompleteMultipartUpload rule (README).
  await abortOpenUploadsUnder(deps.s3, deps.bucket, exportObjectPrefix(input), (key) => (attemptOfObjectKey(key) ?? Infinity) < attempt);

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
    let bytesWritten = 0;
    const onAbort = () => archive.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.onProgress) {
      const report = options.onProgress;
      progressTimer = setInterval(() => report(Math.max(0, archive.events.records - 1), bytesWritten), options.progressIntervalMs ?? 1_000);
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
      onBytes: (bytes) => (bytesWritten = bytes),
    });
    let uploadedObject = false;
    try {
      const [uploaded, files] = await Promise.all([uploading, archive.done]);
      uploadedObject = true;
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
      // A cancel (or a bad size) after the upload completed: the whole ZIP is in S3 and no
      // row will point at it. Best effort; the error that ended the attempt is the one to report.
      if (uploadedObject) await deleteObject(deps.s3, deps.bucket, objectKey).catch(() => {});
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
