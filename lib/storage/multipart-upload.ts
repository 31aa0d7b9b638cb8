import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { inFlightSettled, trackInFlight } from './in-flight';

export interface UploadedObject {
  bytes: number;
  sha256: string;
}

/** 8 MiB parts, two in flight: enough to keep S3 busy while memory stays flat. */
export const defaultPartSize = 8 * 1024 * 1024;
export const defaultQueueSize = 2;

/**
 * Streams `body` into a multipart upload, hashing and counting the bytes on the way.
 * On abort or failure this function, and nothing else, leaves the key empty: it aborts
 * what is open for the key, once, and deletes an object a racing completion wrote: lib-storage's own abort is turned off (`leavePartsOnError`) because it was seen to
 * leave uploads open, and listing by key also catches an upload whose id lib-storage never
 * reported. The key must belong to this upload alone (export keys are per attempt), so the
 * abort never touches another writer's upload. Callers wait for this promise to settle
 * instead of aborting again.
 */
export async function uploadStream(params: {
  client: S3Client;
  bucket: string;
  key: string;
  body: Readable;
  contentType: string;
  signal?: AbortSignal;
  partSize?: number;
  queueSize?: number;
  /** Bytes of `body` read so far, after each chunk (the export's heartbeat follows them). */
  onBytes?: (bytes: number) => void;
}): Promise<UploadedObject> {
  trackInFlight(params.client);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
    params.onBytes?.(bytes);
  });
  params.body.on('error', (error) => tap.destroy(error));
  params.body.pipe(tap);

  const upload = new Upload({
    client: params.client,
    params: { Bucket: params.bucket, Key: params.key, Body: tap, ContentType: params.contentType },
    partSize: params.partSize ?? defaultPartSize,
    queueSize: params.queueSize ?? defaultQueueSize,
    // The catch below aborts instead, once, by listing what is open for the key.
    leavePartsOnError: true,
  });
  const onAbort = () => void upload.abort().catch(() => {});
  params.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await upload.done();
  } catch (error) {
    // done() rejects on abort while parts are still being sent; abort after they land.
    await inFlightSettled(params.client, params.key);
    await abortOpenUploads(params.client, params.bucket, params.key).catch(() => {});
    // An abort that raced CompleteMultipartUpload rejects done() though the object was
    // written. The key is this upload's alone, so deleting it removes only our own file.
    await deleteObject(params.client, params.bucket, params.key).catch(() => {});
    throw error;
  } finally {
    params.signal?.removeEventListener('abort', onAbort);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Aborts every multipart upload still open for `key`; returns how many it aborted. */
export async function abortOpenUploads(client: S3Client, bucket: string, key: string): Promise<number> {
  const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  const open = (listed.Uploads ?? []).filter((u) => u.Key === key && u.UploadId);
  for (const u of open) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: u.UploadId })).catch(ignoreNoSuchUpload);
  }
  return open.length;
}

/** Aborts the multipart uploads open under `prefix` whose key `select` picks; returns how many it aborted. */
export async function abortOpenUploadsUnder(
  client: S3Client,
  bucket: string,
  prefix: string,
  select: (key: string) => boolean,
  signal?: AbortSignal,
): Promise<number> {
  const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }), { abortSignal: signal });
  const open = (listed.Uploads ?? []).filter((u) => u.Key && u.UploadId && select(u.Key));
  for (const u of open) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }), { abortSignal: signal }).catch(ignoreNoSuchUpload);
  }
  return open.length;
}

/** The upload is gone already: the earlier attempt's own cleanup (or the bucket's rule) got there first. */
function ignoreNoSuchUpload(error: unknown): void {
  if ((error as { name?: string }).name !== 'NoSuchUpload') throw error;
}

/** Size of a stored object, or null when it does not exist. */
export async function objectSize(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<number | null> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return head.ContentLength ?? null;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return null;
    throw error;
  }
}

/**
 * Deletes every object under `prefix`, a page of listing at a time; returns how many it
 * deleted. One DeleteObject per key: gateways such as versitygw do not all take the batch
 * DeleteObjects call, and an export holds one object (rarely a few attempts' leftovers).
 */
export async function deleteObjectsUnder(client: S3Client, bucket: string, prefix: string): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      await deleteObject(client, bucket, object.Key);
      deleted++;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}

/** Deletes a stored object; deleting one that is already gone succeeds (S3 semantics). */
export async function deleteObject(client: S3Client, bucket: string, key: string): Promise<void> {
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
