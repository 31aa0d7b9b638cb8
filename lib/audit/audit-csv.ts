import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { guardFormula } from '../exports/formats/csv/csv-guard';
import type { Actor, Scope } from '../scope';
import { type AuditFilters, auditCsvColumns } from './audit.contracts';
import { findScopeSlugs } from '../scope-slugs.repository';
import { type AuditEntryRow, findAuditEntries, recordAudit } from './audit.repository';

/**
 * Rows per query. Each batch is its own short keyset query, so a long download never holds
 * a pooled connection (or a transaction) open while a slow client reads, and stays far
 * inside the web pool's 5 s statement timeout.
 */
const batchSize = 500;

/** One CSV record: every cell is text and goes through the exports' formula guard. */
export function auditCsvRecord(r: AuditEntryRow): string[] {
  const cells = [
    r.id,
    r.created_at.toISOString(),
    r.action,
    r.environment_slug,
    r.admin_id,
    r.admin_email,
    r.user_id,
    r.user_email,
    r.export_id,
    r.client_address,
    r.user_agent,
    JSON.stringify(r.details ?? {}),
  ];
  return cells.map((cell) => guardFormula(cell ?? ''));
}

/** The filtered log, newest first, a batch at a time (same order and keyset as the API). */
export async function* auditCsvRecords(db: Db, tenantId: string, filters: AuditFilters): AsyncGenerator<string[]> {
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const rows = await findAuditEntries(db, tenantId, filters, { after, limit: batchSize });
    for (const row of rows) yield auditCsvRecord(row);
    const last = rows.at(-1);
    if (rows.length < batchSize || !last) return;
    after = { createdAt: last.created_at, id: last.id };
  }
}

/**
 * csv-stringify in streaming mode (RFC 4180 quoting, LF, a header row) fed by the batches:
 * memory holds one batch, whatever the log's size. Chosen over COPY because COPY takes no
 * bind parameters (the filters are user input) and would hold one connection for the
 * whole download.
 */
export function auditCsvStream(db: Db, tenantId: string, filters: AuditFilters): Readable {
  const csv = stringify({ header: true, columns: [...auditCsvColumns], record_delimiter: '\n' });
  return pipeline(Readable.from(auditCsvRecords(db, tenantId, filters)), csv, (error) => {
    // A client that stops reading (closed tab, cancelled download) is not a failure.
    if (error && (error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') console.error('audit CSV stream failed:', error);
  });
}

/** `20261101T093000Z`, as the export ZIPs name their time. */
export function fileTimestamp(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** Slugs are plain already; this keeps a header value safe whatever a row holds. */
const fileNamePart = (slug: string) => slug.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

/**
 * GET /api/audit.csv: records that this admin downloaded the log (with the filters), then
 * streams it. The audit row is written first, so a download cut short is still on record.
 */
export async function exportAuditCsv(
  db: Db,
  scope: Scope,
  actor: Actor,
  filters: AuditFilters,
  now = new Date(),
): Promise<{ fileName: string; stream: Readable }> {
  const slugs = await findScopeSlugs(db, scope);
  if (!slugs) throw new AppError('unauthorized', 'Your session no longer matches an environment', 'Sign in again.');
  await recordAudit(db, {
    ...scope,
    adminId: actor.id,
    origin: actor.origin,
    action: 'audit.exported',
    details: { filters: { ...filters, from: filters.from?.toISOString(), to: filters.to?.toISOString() } },
  });
  return {
    fileName: `audit-${fileNamePart(slugs.tenant_slug)}-${fileNamePart(slugs.environment_slug)}-${fileTimestamp(now)}.csv`,
    stream: auditCsvStream(db, scope.tenantId, filters),
  };
}
