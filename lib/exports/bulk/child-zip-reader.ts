import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import yauzl from 'yauzl';

/** A child export's ZIP, opened for reading its entries one after another. */
export interface ChildZip {
  entries(): AsyncGenerator<{ name: string; modified: Date; open: () => Promise<Readable> }>;
  close(): Promise<void>;
}

/**
 * Child ZIPs up to this size are read into memory (one GET, no disk); larger ones go
 * through a temporary file. Either way yauzl reads the central directory, which a ZIP
 * keeps at its end: it cannot be unpacked while it is still arriving.
 */
export const inMemoryLimitBytes = 8 * 1024 * 1024;

/** Opens the ZIP stored at `key`. */
export async function openChildZip(s3: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<ChildZip> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  const body = object.Body as Readable;
  if ((object.ContentLength ?? Number.POSITIVE_INFINITY) <= inMemoryLimitBytes) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const zip = await yauzl.fromBufferPromise(Buffer.concat(chunks), { lazyEntries: true });
    return wrap(zip, async () => zip.close());
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'bulk-child-'));
  const file = path.join(dir, 'child.zip');
  try {
    await pipeline(body, createWriteStream(file), { signal });
    const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
    return wrap(zip, async () => {
      zip.close();
      await rm(dir, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function wrap(zip: yauzl.ZipFile, close: () => Promise<void>): ChildZip {
  return {
    async *entries() {
      for await (const entry of zip.eachEntry()) {
        // Directories carry no file; a single export has none, but a ZIP may.
        if (entry.fileName.endsWith('/')) continue;
        yield { name: entry.fileName, modified: entry.getLastModDate(), open: () => zip.openReadStreamPromise(entry) };
      }
    },
    close,
  };
}
