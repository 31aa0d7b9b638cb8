import type { ColumnType, Generated, Updateable } from 'kysely';
import type { AuditActionValue } from '../audit/audit.contracts';
import type { BulkExportStatusValue, BulkUserStatusValue } from '../exports/bulk/bulk-export.contracts';
import type { ExportStatusValue } from '../exports/export.contracts';

/** Typed view of the database; one interface per table, kept in step with migrations/. */

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<Record<string, unknown>, string | Record<string, unknown>, string | Record<string, unknown>>;
// pg returns int8 as a string; we parse it to number in client.ts (safe below 2^53).
type BigCount = ColumnType<number, number | undefined, number>;

export type AdminRole = 'admin' | 'viewer';
/** Both lists live in contracts, which the API, OpenAPI, the pages and the workflow read too. */
export type ExportStatus = ExportStatusValue;
export type AuditAction = AuditActionValue;

export interface TenantTable {
  id: Generated<string>;
  slug: string;
  name: string;
  created_at: CreatedAt;
}

export interface EnvironmentTable {
  id: Generated<string>;
  tenant_id: string;
  slug: string;
  name: string;
  created_at: CreatedAt;
}

export interface AdminTable {
  id: Generated<string>;
  tenant_id: string;
  email: string;
  name: string;
  password_hash: string;
  role: AdminRole;
  session_version: Generated<number>;
  disabled_at: Date | null;
  /** Mail me when an export I requested ends (migration 20261127090000). */
  notify_on_export: Generated<boolean>;
  created_at: CreatedAt;
}

export interface UserTable {
  id: Generated<string>;
  tenant_id: string;
  environment_id: string;
  email: string;
  name: string;
  created_at: CreatedAt;
  last_login_at: Timestamp | null;
}

export interface EventTable {
  id: Generated<string>;
  tenant_id: string;
  environment_id: string;
  user_id: string;
  type: string;
  occurred_at: Timestamp;
  properties: Json;
}

export interface ExportTable {
  id: Generated<string>;
  tenant_id: string;
  environment_id: string;
  user_id: string;
  requested_by: string;
  status: ExportStatus;
  workflow_id: string;
  rows_exported: BigCount;
  rows_total: ColumnType<number | null, number | null | undefined, number | null>;
  bytes: ColumnType<number | null, number | null | undefined, number | null>;
  sha256: string | null;
  object_key: string | null;
  file_name: string | null;
  error_summary: string | null;
  /** Why the mail about this export's ending was not sent; null when sent or not due. */
  notification_error: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  expires_at: Timestamp | null;
  /** The failed, cancelled or expired export this one was requested to repeat. */
  retry_of: ColumnType<string | null, string | null | undefined, never>;
  /** A name from formats/index.ts; rows from before options existed are csv. */
  format: ColumnType<string, string | undefined, never>;
  /** Half-open range on occurred_at: [range_from, range_to); null bounds are open. */
  range_from: ColumnType<Date | null, Date | string | null | undefined, never>;
  range_to: ColumnType<Date | null, Date | string | null | undefined, never>;
  /** The bulk export this export is one user of (migration 20261128120000); null for a single export. */
  bulk_export_id: ColumnType<string | null, string | null | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One bulk export: many users, one parent workflow, one ZIP (migration 20261128120000). */
export interface BulkExportTable {
  id: string;
  tenant_id: string;
  environment_id: string;
  requested_by: string;
  status: BulkExportStatusValue;
  workflow_id: string;
  all_users: boolean;
  format: string;
  range_from: ColumnType<Date | null, Date | string | null | undefined, never>;
  range_to: ColumnType<Date | null, Date | string | null | undefined, never>;
  users_total: number;
  users_done: ColumnType<number, number | undefined, number>;
  users_failed: ColumnType<number, number | undefined, number>;
  users_cancelled: ColumnType<number, number | undefined, number>;
  rows_total: ColumnType<number | null, number | null | undefined, number | null>;
  rows_done: BigCount;
  bytes: ColumnType<number | null, number | null | undefined, number | null>;
  sha256: string | null;
  object_key: string | null;
  file_name: string | null;
  error_summary: string | null;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  expires_at: Timestamp | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** The users a bulk export was asked for, numbered (the workflow's cursor), each with its outcome. */
export interface BulkExportUserTable {
  bulk_export_id: string;
  tenant_id: string;
  environment_id: string;
  position: number;
  user_id: string;
  status: ColumnType<BulkUserStatusValue, BulkUserStatusValue | undefined, BulkUserStatusValue>;
  export_id: string | null;
  rows: ColumnType<number | null, number | null | undefined, number | null>;
  error_summary: string | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  tenant_id: string;
  environment_id: string | null;
  /** null: the system (the retention sweep), not an admin. */
  admin_id: string | null;
  action: AuditAction;
  export_id: string | null;
  details: ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, never>;
  client_address: ColumnType<string | null, string | null | undefined, never>;
  user_agent: ColumnType<string | null, string | null | undefined, never>;
  created_at: CreatedAt;
}

export interface SignInAttemptTable {
  id: Generated<string>;
  email: string;
  client: string;
  /** null while the password check is under way: counted as a failure until settled. */
  succeeded: boolean | null;
  created_at: CreatedAt;
}

/** An `Idempotency-Key` an admin sent with an export request, bound to its export for 24 h. */
export interface ExportIdempotencyKeyTable {
  admin_id: string;
  key: string;
  tenant_id: string;
  environment_id: string;
  user_id: string;
  export_id: string;
  created_at: CreatedAt;
}

/** Events per user, kept by statement triggers on events (migration 20261126120200). */
export interface UserEventCountTable {
  tenant_id: string;
  environment_id: string;
  user_id: string;
  event_count: ColumnType<number, number | undefined, number>;
}

export interface Database {
  tenants: TenantTable;
  environments: EnvironmentTable;
  admins: AdminTable;
  users: UserTable;
  events: EventTable;
  exports: ExportTable;
  audit_log: AuditLogTable;
  sign_in_attempts: SignInAttemptTable;
  export_idempotency_keys: ExportIdempotencyKeyTable;
  user_event_counts: UserEventCountTable;
  bulk_exports: BulkExportTable;
  bulk_export_users: BulkExportUserTable;
}

export type ExportRowUpdate = Updateable<ExportTable>;
export type BulkExportRowUpdate = Updateable<BulkExportTable>;
