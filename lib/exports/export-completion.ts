import type { S3Client } from '@aws-sdk/client-s3';
import type { Db } from '../db/client';
import { deleteObject } from '../storage/multipart-upload';
import type { ExportFileResult, ExportStatusValue } from './export.contracts';
import { completeExport } from './export-lifecycle';
import { type ExportRowScope, findExportOutcome } from './export.repository';

export interface CompletionDeps {
  db: Db;
  s3: S3Client;
  bucket: string;
  retentionSeconds: number;
}

/** `taken`: the row records this attempt's file. Otherwise the row's status when it refused it. */
export type CompletionOutcome = { taken: true } | { taken: false; status: ExportStatusValue | null };

/**
 * Offers an attempt's uploaded file to the row. The lifecycle completes only a running row,
 * so of two racing attempts (a cut-off worker still running) the first to finish wins and
 * the other finds the row ended. The attempt whose file the row did not take, or that was
 * cancelled before the write, deletes its own object (keys are per attempt), so no file
 * outlives its row and the row's sha256 always matches the object its key names.
 *
 * `patiently` retries a write through a brief database outage. When a write's answer is
 * lost the row is read back: a completion that committed names this attempt's key. If even
 * that read fails the object is kept, since deleting the file of a completed row is worse
 * than leaving one behind.
 */
export async function offerFileToRow(
  deps: CompletionDeps,
  scope: ExportRowScope,
  exportId: string,
  file: ExportFileResult,
  options: { signal?: AbortSignal; patiently: <T>(fn: () => Promise<T>) => Promise<T> },
): Promise<CompletionOutcome> {
  let outcome: CompletionOutcome | undefined;
  try {
    // A cancel that arrived after the upload but before this write wins over the file.
    if (options.signal?.aborted) outcome = { taken: false, status: null };
    else if (await options.patiently(() => completeExport(deps.db, scope, exportId, file, deps.retentionSeconds))) outcome = { taken: true };
    else outcome = await readBack(deps, scope, exportId, file, options.patiently);
  } catch (error) {
    outcome = await readBack(deps, scope, exportId, file, options.patiently).catch(() => undefined);
    if (outcome?.taken) return outcome;
    if (outcome) await deleteObject(deps.s3, deps.bucket, file.objectKey).catch(() => {});
    throw error;
  }
  if (!outcome.taken) await deleteObject(deps.s3, deps.bucket, file.objectKey).catch(() => {});
  return outcome;
}

async function readBack(
  deps: CompletionDeps,
  scope: ExportRowScope,
  exportId: string,
  file: ExportFileResult,
  patiently: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<CompletionOutcome> {
  const row = await patiently(() => findExportOutcome(deps.db, scope, exportId));
  if (row?.status === 'completed' && row.object_key === file.objectKey) return { taken: true };
  return { taken: false, status: row?.status ?? null };
}
