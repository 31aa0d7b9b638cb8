import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

/**
 * The export's custom search attributes, so an operator can list one tenant's exports, or
 * its failed ones, in the Temporal UI (`ExportTenant = '…' AND ExportStatus = 'failed'`).
 * Ids only, never emails. The local dev server registers them at start; a real cluster
 * needs them created once (README, "Temporal search attributes"). Imported by workflow
 * code too: keep this module free of Node APIs.
 */
export const exportTenantKey = defineSearchAttributeKey('ExportTenant', SearchAttributeType.KEYWORD);
export const exportEnvironmentKey = defineSearchAttributeKey('ExportEnvironment', SearchAttributeType.KEYWORD);
export const exportUserKey = defineSearchAttributeKey('ExportUser', SearchAttributeType.KEYWORD);
export const exportStatusKey = defineSearchAttributeKey('ExportStatus', SearchAttributeType.KEYWORD);

export const exportSearchAttributeKeys = [exportTenantKey, exportEnvironmentKey, exportUserKey, exportStatusKey];

/** `temporal server start-dev --search-attribute` arguments that register them. */
export function devServerSearchAttributeArgs(): string[] {
  return exportSearchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}

/** What an export workflow is started with: its scope, and `queued` until a worker picks it up. */
export function exportStartSearchAttributes(input: { tenantId: string; environmentId: string; userId: string }): SearchAttributePair[] {
  return [
    { key: exportTenantKey, value: input.tenantId },
    { key: exportEnvironmentKey, value: input.environmentId },
    { key: exportUserKey, value: input.userId },
    { key: exportStatusKey, value: 'queued' },
  ];
}

/** What a bulk export's parent workflow is started with: its scope and `queued` (no user: it has many). */
export function bulkExportStartSearchAttributes(input: { tenantId: string; environmentId: string }): SearchAttributePair[] {
  return [
    { key: exportTenantKey, value: input.tenantId },
    { key: exportEnvironmentKey, value: input.environmentId },
    { key: exportStatusKey, value: 'queued' },
  ];
}
