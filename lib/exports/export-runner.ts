import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { retryTransient } from '../retry';
import { abortOpenUploadsUnder, deleteObject, objectSize, uploadStream } from '../storage/multipart-upload';
import type { ExportFileResult, UserExportInput } from './export.contracts';
import { createExportArchive, eventsFileName } from './archive/zip-archive';
import { zipContainer } from './archive/zip-container';
import { findExportSubject } from './export-context.repository';
import { attemptOfObjectKey, exportFileName, exportObjectKey, exportObjectPrefix } from './export-file-name';
import { streamCopy, streamOrderSettings } from './events-copy';
import { exportFormat } from './formats';
import { startStallWatchdog, type StalledOn } from './stall-watchdog';

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
  /** Nothing moved (no row, no ZIP byte, no step finished) for this long: the attempt ends with an ExportStalledError. */
  stallTimeoutMs?: number;
  partSize?: number;
  queueSize?: number;
  compressionLevel?: number;
}

/** The default stall timeout; the worker takes EXPORT_STALL_TIMEOUT_SECONDS. */
export const defaultStallTimeoutMs = 30_000;

/** How long a stalled attempt waits for its upload's cleanup (which may hang on the same S3) before reporting. */
const stalledCleanupWaitMs = 5_000;

/**
 * Writes one user's export: Postgres → the format's files (COPY) → ZIP → S3 multipart, streaming, so memory
 * stays flat whatever the user's size. Each call writes its own object key, so an attempt
 * never aborts or overwrites another's; the attempt that loses the completion deletes its
 * object (export-completion.ts). Returns only after S3 reports the object's size equal to
 * the bytes written; if it throws after the upload finished (a cancel, a size mismatch) it
 * deletes the object first, so a cancelled export leaves no file behind.
 *
 * A watchdog ends an attempt in which nothing moved for the stall timeout (a COPY that hangs,
 * an S3 gateway that stops answering) with an ExportStalledError naming the side that held it
 * up; the activity's retry then starts afresh. Without it such an attempt waits out every
 * socket timeout and retry, while each S3 retry's heartbeat keeps Temporal waiting too.
 */
export async function runExport(deps: ExportRunnerDeps, input: UserExportInput, options: ExportRunOptions = {}): Promise<ExportFileResult> {
  const subject = await retryTransient(() => findExportSubject(deps.db, input), { signal: options.signal });
  if (!subject) {
    throw new AppError('not_found', `User ${input.userId} was not found in this environment`, 'The user may have been deleted; refresh the users list.');
  }
  const format = exportFormat(input.format);
  const range = input.from || input.to ? { from: input.from ?? null, to: input.to ?? null } : null;
  const generatedAt = new Date();
  const attempt = options.attempt ?? 1;
  // The random token keeps keys apart even if an attempt number repeats (a workflow reset).
  const objectKey = exportObjectKey(input, { number: attempt, token: randomUUID().slice(0, 8) });
  const fileName = exportFileName({ tenantSlug: subject.tenant_slug, environmentSlug: subject.environment_slug, userId: subject.id, at: generatedAt });

  let waitingOn: () => StalledOn = () => 'storage';
  const watchdog = startStallWatchdog({ timeoutMs: options.stallTimeoutMs ?? defaultStallTimeoutMs, stalledOn: () => waitingOn() });
  const signal = options.signal ? AbortSignal.any([options.signal, watchdog.signal]) : watchdog.signal;
  const step = (on: StalledOn) => {
    watchdog.moved();
    waitingOn = () => on;
  };
  const isStalled = () => watchdog.signal.aborted && !options.signal?.aborted;

  let client: pg.PoolClient | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  let failed = false;
  try {
    // Earlier attempts were given up by Temporal: a killed one left its upload open, a cut-off
    // one may still be writing. Aborting theirs (never a later attempt's, never our own key)
    // closes the first and fences out the second; what the last attempt of all leaves is for
    // the bucket's AbortIncompleteMultipartUpload rule (README).
    step('storage');
    await abortOpenUploadsUnder(deps.s3, deps.bucket, exportObjectPrefix(input), (key) => (attemptOfObjectKey(key) ?? Infinity) < attempt, signal);
    step('database');
    client = await retryTransient(() => deps.pool.connect(), { signal });
    await client.query(streamOrderSettings.apply);
    step('database');

    const events = streamCopy(client, format.eventsCopySql(input));
    // Paused by the pipe's backpressure, or done: the ZIP and upload side holds things up.
    waitingOn = () => (events.readableEnded || events.readableFlowing === false ? 'storage' : 'database');
    const archive = createExportArchive({
      format,
      profile: subject,
      events,
      level: options.compressionLevel,
      manifest: (files) => ({
        formatVersion: 1,
        format: format.name,
        formatDetails: format.manifest,
        range,
        tenant: { id: input.tenantId, slug: subject.tenant_slug },
        environment: { id: input.environmentId, slug: subject.environment_slug },
        userId: subject.id,
        generatedAt: generatedAt.toISOString(),
        files,
      }),
    });
    let bytesWritten = 0;
    const onAbort = () => archive.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let lastRecords = 0;
    progressTimer = setInterval(() => {
      // Rows count as movement even while the ZIP buffers them, and bytes while COPY waits.
      if (archive.events.rows !== lastRecords) watchdog.moved();
      lastRecords = archive.events.rows;
      options.onProgress?.(archive.events.rows, bytesWritten);
    }, options.progressIntervalMs ?? 1_000);
    // uploadStream aborts its own multipart upload when it fails; see the catch below.
    const uploading = uploadStream({
      client: deps.s3,
      bucket: deps.bucket,
      key: objectKey,
      body: archive.zip,
      contentType: zipContainer.contentType,
      signal,
      partSize: options.partSize,
      queueSize: options.queueSize,
      onBytes: (bytes) => {
        bytesWritten = bytes;
        watchdog.moved();
      },
    });
    let uploadedObject = false;
    try {
      // The race: a stall must not wait for an upload whose requests hang on the same S3.
      const [uploaded, files] = await Promise.race([Promise.all([uploading, archive.done]), rejectOnStall(watchdog.signal)]);
      uploadedObject = true;
      signal.throwIfAborted();
      step('storage');
      const stored = await objectSize(deps.s3, deps.bucket, objectKey, signal);
      if (stored !== uploaded.bytes) {
        throw new Error(`Stored object is ${stored ?? 'missing'} bytes but ${uploaded.bytes} were written`);
      }
      const rows = files.find((f) => f.name === eventsFileName(format))?.rows ?? 0;
      return { objectKey, fileName, rows, bytes: uploaded.bytes, sha256: uploaded.sha256 };
    } catch (error) {
      // The upload aborts itself once its body fails: make sure the body fails (the archive
      // may have broken first), then wait for that abort, so the attempt ends with no open
      // multipart upload and without aborting a second time here. A stalled S3 may not answer
      // that abort either: then the cleanup goes on in the background and the attempt reports.
      archive.zip.destroy(error instanceof Error ? error : new Error(String(error)));
      // A cancel (or a bad size) after the upload completed: the whole ZIP is in S3 and no
      // row will point at it. Best effort; the error that ended the attempt is the one to report.
      const cleanup = uploading
        .catch(() => {})
        .then(() => (uploadedObject ? deleteObject(deps.s3, deps.bucket, objectKey) : undefined))
        .catch(() => {});
      await (isStalled() ? Promise.race([cleanup, delay(stalledCleanupWaitMs)]) : cleanup);
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  } catch (error) {
    failed = true;
    // A stall reports itself, not the abort error it caused somewhere in the pipeline.
    throw isStalled() ? watchdog.signal.reason : error;
  } finally {
    watchdog.stop();
    clearInterval(progressTimer);
    // A client whose COPY was cut short is in an unknown state: discard it. A healthy one
    // goes back to the pool with its settings undone (or is discarded if that fails).
    if (client && !failed)
      failed = await client.query(streamOrderSettings.reset).then(
        () => false,
        () => true,
      );
    client?.release(failed || undefined);
  }
}

function rejectOnStall(stall: AbortSignal): Promise<never> {
  return new Promise((_, reject) => stall.addEventListener('abort', () => reject(stall.reason), { once: true }));
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
