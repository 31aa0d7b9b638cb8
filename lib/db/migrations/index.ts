import type { Migration, MigrationProvider } from 'kysely';
import * as coreTables from './20261125210000_core_tables';
import * as exportsAndAudit from './20261125210100_exports_and_audit';
import * as signInAttempts from './20261125220000_sign_in_attempts';
import * as auditClient from './20261126100000_audit_client';
import * as redactErrorSummaries from './20261126100100_redact_error_summaries';
import * as sessionVersions from './20261126101000_session_versions';
import * as exportRequestIndexes from './20261126120000_export_request_indexes';
import * as exportIdempotencyKeys from './20261126120100_export_idempotency_keys';
import * as userEventCounts from './20261126120200_user_event_counts';
import * as exportNotifications from './20261127090000_export_notifications';
import * as exportRetention from './20261127100000_export_retention';
import * as exportRetryOf from './20261127100100_export_retry_of';
import * as auditFilterIndexes from './20261127110000_audit_filter_indexes';
import * as exportOptions from './20261128090000_export_options';
import * as bulkExports from './20261128120000_bulk_exports';

/**
 * Migrations listed statically (not read from disk) so they work the same under tsx,
 * vitest and any bundler. Names are timestamps: Kysely applies them in name order.
 */
const migrations: Record<string, Migration> = {
  '20261125210000_core_tables': coreTables,
  '20261125210100_exports_and_audit': exportsAndAudit,
  '20261125220000_sign_in_attempts': signInAttempts,
  '20261126100000_audit_client': auditClient,
  '20261126100100_redact_error_summaries': redactErrorSummaries,
  '20261126101000_session_versions': sessionVersions,
  '20261126120000_export_request_indexes': exportRequestIndexes,
  '20261126120100_export_idempotency_keys': exportIdempotencyKeys,
  '20261126120200_user_event_counts': userEventCounts,
  '20261127090000_export_notifications': exportNotifications,
  '20261127100000_export_retention': exportRetention,
  '20261127100100_export_retry_of': exportRetryOf,
  '20261127110000_audit_filter_indexes': auditFilterIndexes,
  '20261128090000_export_options': exportOptions,
  '20261128120000_bulk_exports': bulkExports,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
