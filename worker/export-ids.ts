/** Ids a workflow's or activity's input may carry, for its log lines. Ids only: never emails or names. */
const idFields = ['exportId', 'bulkExportId', 'tenantId', 'environmentId'] as const;

/**
 * The export ids in a workflow's or activity's first argument. Pure (no Node APIs): the
 * workflow bundle runs it too.
 */
export function exportIdsOf(input: unknown): Record<string, string> {
  if (!input || typeof input !== 'object') return {};
  const record = input as Record<string, unknown>;
  return Object.fromEntries(idFields.flatMap((field) => (typeof record[field] === 'string' ? [[field, record[field] as string]] : [])));
}
