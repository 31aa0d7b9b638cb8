import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { ZipArchive } from 'archiver';
import type { Db } from '../../db/client';
import { AppError } from '../../errors';
import type { Scope } from '../../scope';
import { findScopeSlugs } from '../../scope-slugs.repository';
import { deleteObject, objectSize, uploadStream } from '../../storage/multipart-upload';
import { type BulkManifest, bulkManifestName, manifestBytes } from '../archive/manifest';
import { zipContainer } from '../archive/zip-container';
import { compactUtcTimestamp } from '../export-file-name';
import { exportFormatSchema } from '../export.contracts';
import type { BulkExportRef } from './bulk-export.contracts';
import * as repo from './bulk-export.repository';
import { type ChildZip, openChildZip } from './child-zip-reader';

export interface BulkArchiveDeps {
  db: Db;
  s3: S3Client;
  bucket: string;
}

export interface BulkArchiveOptions {
  /** Temporal's attempt number: in the object key, so two attempts never share one. */
  attempt?: number;
  signal?: AbortSignal;
  /** After each user's folder: users written so far, ZIP bytes uploaded so far. */
  onProgress?: (usersWritten: number, bytes: number) => void;
  /** Users read per query. */
  pageSize?: number;
  /** Child ZIPs fetched ahead of the one being written, so S3 reads overlap the writing. */
  prefetch?: number;
  partSize?: number;
}

export interface BulkFile {
  objectKey: string;
  fileName: string;
  bytes: number;
  sha256: string;
}

/** Where every attempt of one bulk export writes its ZIP. */
export function bulkObjectPrefix(ref: BulkExportRef): string {
  return `bulk-exports/${ref.tenantId}/${ref.environmentId}/${ref.bulkExportId}/`;
}

/** `bulk-exports/<tenant>/<environment>/<bulk id>/<attempt>-<token>.zip`: per attempt, like single exports. */
export function bulkObjectKey(ref: BulkExportRef, attempt: number): string {
  return `${bulkObjectPrefix(ref)}${attempt}-${randomUUID().slice(0, 8)}.${zipContainer.extension}`;
}

/** `<tenant>-<environment>-bulk-<bulk id>-<UTC timestamp>.zip`. */
export function bulkFileName(parts: { tenantSlug: string; environmentSlug: string; bulkExportId: string; at: Date }): string {
  return `${parts.tenantSlug}-${parts.environmentSlug}-bulk-${parts.bulkExportId}-${compactUtcTimestamp(parts.at)}.${zipContainer.extension}`;
}

const safeFolder = /^[A-Za-z0-9._%+@-]{1,200}$/;

/**
 * A user's folder: the email when it is a plain file name, else the user id; an email that
 * differs only in case from one already used gets the id appended (unzip tools on
 * case-insensitive disks would merge the two).
 */
export function folderFor(user: { email: string; userId: string }, used: Set<string>): string {
  const base = safeFolder.test(user.email) && !/^\.+$/.test(user.email) ? user.email : user.userId;
  const name = used.has(base.toLowerCase()) ? `${base}-${user.userId}` : base;
  used.add(name.toLowerCase());
  return name;
}

/**
 * Writes the bulk's one ZIP: for every user whose export completed, a folder holding that
 * export's files, unpacked from its ZIP and stored (not compressed again: the bytes are the
 * single export's files, and storing them costs no CPU), then bulk-manifest.json. The ZIP
 * streams into a multipart upload; the child ZIPs are read one after another with a small
 * read-ahead, so memory stays bounded whatever the number of users.
 */
export async function writeBulkArchive(deps: BulkArchiveDeps, ref: BulkExportRef, options: BulkArchiveOptions = {}): Promise<BulkFile> {
  const scope: Scope = { tenantId: ref.tenantId, environmentId: ref.environmentId };
  const [bulk, slugs] = await Promise.all([repo.findBulkExport(deps.db, scope, ref.bulkExportId), findScopeSlugs(deps.db, scope)]);
  if (!bulk || !slugs) throw new AppError('not_found', `Bulk export ${ref.bulkExportId} was not found in this environment`, 'It may have been deleted.');
  const generatedAt = new Date();
  const objectKey = bulkObjectKey(ref, options.attempt ?? 1);
  const fileName = bulkFileName({ tenantSlug: slugs.tenant_slug, environmentSlug: slugs.environment_slug, bulkExportId: ref.bulkExportId, at: generatedAt });
  const signal = options.signal ?? new AbortController().signal;

  const archive = new ZipArchive({ store: true });
  let bytes = 0;
  const uploading = uploadStream({
    client: deps.s3,
    bucket: deps.bucket,
    key: objectKey,
    body: archive,
    contentType: zipContainer.contentType,
    signal,
    partSize: options.partSize,
    onBytes: (n) => {
      bytes = n;
    },
  });
  let uploaded = false;
  try {
    const manifest = await writeUserFolders(deps, scope, ref, archive, { ...options, signal, bytes: () => bytes });
    const range = bulk.range_from || bulk.range_to ? { from: bulk.range_from?.toISOString() ?? null, to: bulk.range_to?.toISOString() ?? null } : null;
    const bulkManifest: BulkManifest = {
      formatVersion: 1,
      kind: 'bulk',
      bulkExportId: ref.bulkExportId,
      tenant: { id: ref.tenantId, slug: slugs.tenant_slug },
      environment: { id: ref.environmentId, slug: slugs.environment_slug },
      generatedAt: generatedAt.toISOString(),
      // The column is text; the row was written from the same enum.
      options: { format: exportFormatSchema.parse(bulk.format), range },
      ...manifest,
    };
    await appendEntry(archive, manifestBytes(bulkManifest), bulkManifestName);
    await archive.finalize();
    const file = await uploading;
    uploaded = true;
    signal.throwIfAborted();
    const stored = await objectSize(deps.s3, deps.bucket, objectKey, signal);
    if (stored !== file.bytes) throw new Error(`Stored bulk object is ${stored ?? 'missing'} bytes but ${file.bytes} were written`);
    return { objectKey, fileName, bytes: file.bytes, sha256: file.sha256 };
  } catch (error) {
    // Fail the body so the upload aborts itself, wait for that, and remove a completed object no row will name.
    archive.destroy(error instanceof Error ? error : new Error(String(error)));
    await uploading.catch(() => {});
    if (uploaded) await deleteObject(deps.s3, deps.bucket, objectKey).catch(() => {});
    throw error;
  }
}

async function writeUserFolders(
  deps: BulkArchiveDeps,
  scope: Scope,
  ref: BulkExportRef,
  archive: ZipArchive,
  options: BulkArchiveOptions & { signal: AbortSignal; bytes: () => number },
) {
  const users: BulkManifest['users'] = [];
  const failures: BulkManifest['failures'] = [];
  const notExported: BulkManifest['notExported'] = [];
  const used = new Set<string>([bulkManifestName.toLowerCase()]);
  let after = 0;
  for (;;) {
    const page = await repo.findBulkUsersWithFiles(deps.db, scope, ref.bulkExportId, after, options.pageSize ?? 200);
    if (page.length === 0) break;
    after = page.at(-1)!.position;
    const withFiles = page.filter((u) => u.status === 'completed' && u.export_status === 'completed' && u.object_key && u.export_id);
    for (const u of page) {
      if (u.status === 'failed') failures.push({ userId: u.user_id, email: u.email, exportId: u.export_id, summary: u.error_summary });
      else if (!withFiles.includes(u)) notExported.push({ userId: u.user_id, email: u.email, status: u.export_status === 'expired' ? 'expired' : u.status });
    }
    for await (const [u, zip] of prefetched(withFiles, options.prefetch ?? 4, (u) => openChildZip(deps.s3, deps.bucket, u.object_key!, options.signal))) {
      try {
        const folder = folderFor({ email: u.email, userId: u.user_id }, used);
        const files: string[] = [];
        for await (const entry of zip.entries()) {
          options.signal.throwIfAborted();
          await appendEntry(archive, await entry.open(), `${folder}/${entry.name}`, entry.modified);
          files.push(entry.name);
        }
        users.push({ userId: u.user_id, email: u.email, folder, exportId: u.export_id!, rows: u.rows_exported ?? 0, bytes: u.bytes, sha256: u.sha256, files });
      } finally {
        await zip.close();
      }
      options.onProgress?.(users.length, options.bytes());
    }
  }
  return { users, failures, notExported };
}

/** Appends one stored entry and waits until archiver has written it, so entries never pile up in memory. */
function appendEntry(archive: ZipArchive, source: Readable | Buffer, name: string, date?: Date): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      archive.off('entry', onEntry);
      archive.off('error', done);
      if (!Buffer.isBuffer(source)) source.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    const onEntry = () => done();
    archive.on('entry', onEntry);
    archive.once('error', done);
    if (!Buffer.isBuffer(source)) source.once('error', done);
    archive.append(source, { name, date, store: true });
  });
}

/** Yields each item with its loaded value, loading up to `depth` ahead; unread loads are closed on early exit. */
async function* prefetched<T>(items: T[], depth: number, load: (item: T) => Promise<ChildZip>): AsyncGenerator<[T, ChildZip]> {
  const queue: Promise<ChildZip>[] = [];
  let next = 0;
  try {
    for (const item of items) {
      while (queue.length < Math.max(1, depth) && next < items.length) {
        const loading = load(items[next++]!);
        loading.catch(() => {});
        queue.push(loading);
      }
      yield [item, await queue.shift()!];
    }
  } finally {
    for (const loading of queue) void loading.then((zip) => zip.close()).catch(() => {});
  }
}
