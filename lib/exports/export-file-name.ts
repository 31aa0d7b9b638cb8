/** `YYYYMMDDTHHMMSSZ`, the timestamp format of export file names. */
export function compactUtcTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** `<tenant>-<environment>-<user id>-<UTC timestamp>.zip` (SPEC §4). */
export function exportFileName(parts: { tenantSlug: string; environmentSlug: string; userId: string; at: Date }): string {
  return `${parts.tenantSlug}-${parts.environmentSlug}-${parts.userId}-${compactUtcTimestamp(parts.at)}.zip`;
}

/** Object keys are namespaced by tenant and environment so a bucket policy can scope them. */
export function exportObjectKey(parts: { tenantId: string; environmentId: string; exportId: string }): string {
  return `exports/${parts.tenantId}/${parts.environmentId}/${parts.exportId}.zip`;
}
