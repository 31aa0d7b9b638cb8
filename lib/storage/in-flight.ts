import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Which requests a client still has in flight, per object key. lib-storage's `Upload`
 * rejects `done()` on abort while its UploadPart requests are still on the wire, and a part
 * that lands after AbortMultipartUpload can bring the upload back (seen with versitygw's
 * posix backend): an abort must wait for the key's requests to settle first.
 */
const inFlightByClient = new WeakMap<S3Client, Map<string, Set<Promise<unknown>>>>();

function track(client: S3Client): Map<string, Set<Promise<unknown>>> {
  let byKey = inFlightByClient.get(client);
  if (byKey) return byKey;
  const map = new Map<string, Set<Promise<unknown>>>();
  byKey = map;
  inFlightByClient.set(client, map);
  client.middlewareStack.add(
    (next) => (args) => {
      const key = (args.input as { Key?: unknown }).Key;
      const sent = next(args);
      if (typeof key !== 'string') return sent;
      const requests = map.get(key) ?? new Set();
      map.set(key, requests);
      requests.add(sent);
      const forget = () => {
        requests.delete(sent);
        if (requests.size === 0 && map.get(key) === requests) map.delete(key);
      };
      sent.then(forget, forget);
      return sent;
    },
    { step: 'initialize', name: 'exportConsoleInFlight' },
  );
  return map;
}

/** Starts counting `client`'s requests per key; call before the requests to wait for are sent. */
export function trackInFlight(client: S3Client): void {
  track(client);
}

/** Resolves once no request for `key` is in flight on `client` (their outcome does not matter). */
export async function inFlightSettled(client: S3Client, key: string): Promise<void> {
  const byKey = track(client);
  for (let requests = byKey.get(key); requests && requests.size > 0; requests = byKey.get(key)) {
    await Promise.allSettled([...requests]);
  }
}
