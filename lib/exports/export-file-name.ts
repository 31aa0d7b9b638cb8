import { zipContainer } from './archive/zip-container';

/** `YYYYMMDDTHHMMSSZ`, the timestamp format of export file names. */
export function compactUtcTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

const extension = `.${zipContainer.extension}`;

/** `<tenant>-<environment>-<user id>-<UTC timestamp>.zip` (SPEC §4). */
export function exportFileName(parts: { tenantSlug: string; environmentSlug: string; userId: string; at: Date }): string {
  return `${parts.tenantSlug}-${parts.environmentSlug}-${parts.userId}-${compactUtcTimestamp(parts.at)}${extension}`;
}

/**
 * Object keys are namespaced by tenant and environment so a bucket policy can scope them,
 * and are per attempt (`…/<export id>/<attempt>.zip`): two attempts of one export racing (a
 * cut-off worker still running) then never overwrite or abort each other's object, and the
 * row's sha256 always describes the object its key names.
 */
export function exportObjectKey(parts: ExportKeyParts, attempt: { number: number; token: string }): string {
  return `${exportObjectPrefix(parts)}${attempt.number}-${attempt.token}${extension}`;
}

type ExportKeyParts = { tenantId: string; environmentId: string; exportId: string };

/** Where every attempt of one export writes. */
export function exportObjectPrefix(parts: ExportKeyParts): string {
  return `exports/${parts.tenantId}/${parts.environmentId}/${parts.exportId}/`;
}

/** The attempt number in a key made by exportObjectKey, or null for any other key. */
export function attemptOfObjectKey(key: string): number | null {
  if (!key.endsWith(extension)) return null;
  const match = /\/(\d+)-[^/]*$/.exec(key.slice(0, -extension.length));
  return match ? Number(match[1]) : null;
}
