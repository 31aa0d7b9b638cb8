import type { S3Client } from '@aws-sdk/client-s3';
import { recordAudit } from '../audit/audit.repository';
import type { Db } from '../db/client';
import type { Scope } from '../scope';
import { deleteObjectsUnder } from '../storage/multipart-upload';
import { exportObjectPrefix } from './export-file-name';
import { expireExport } from './export-lifecycle';
import * as repo from './export.repository';
import { bulkObjectPrefix } from './bulk/bulk-archive';
import { expireBulkExport } from './bulk/bulk-export-lifecycle';
import * as bulkRepo from './bulk/bulk-export.repository';

/**
 * Retention that deletes: completed exports past `expiresAt` lose their file, and their row
 * becomes `expired` (through the lifecycle) with an audit row written by the system. Run by
 * the `retention-sweep` Schedule (worker/schedules.ts) through RetentionSweepWorkflow.
 *
 * The object goes first, the row second: a sweep cut off between the two leaves a
 * `completed` row whose download finds nothing, and the next sweep (deleting is idempotent)
 * finishes the job. The other order could leave an `expired` row with a file behind it.
 */
export interface RetentionDeps {
  db: Db;
  s3: S3Client;
  bucket: string;
}

export interface RetentionOptions {
  /** At most this many exports per environment per sweep, so one sweep stays short. */
  batchSize: number;
  /** Called after each export, so the activity can heartbeat. */
  onProgress?: (done: number) => void;
}

export interface RetentionReport {
  checked: number;
  expired: string[];
  /** Bulk exports whose ZIP was deleted. */
  expiredBulks: string[];
}

export async function sweepExpiredExports(deps: RetentionDeps, options: RetentionOptions): Promise<RetentionReport> {
  const report: RetentionReport = { checked: 0, expired: [], expiredBulks: [] };
  // The database's "now" would do as well; the worker's clock is what wrote expires_at.
  const dueBy = new Date();
  // Every query and write is scoped to one tenant's environment, as everywhere else.
  for (const scope of await repo.listEnvironmentScopes(deps.db)) {
    for (const row of await repo.findExportsDueForDeletion(deps.db, scope, dueBy, options.batchSize)) {
      report.checked++;
      if (await expireOne(deps, scope, row)) report.expired.push(row.id);
      options.onProgress?.(report.checked);
    }
    for (const row of await bulkRepo.findBulkExportsDueForDeletion(deps.db, scope, dueBy, options.batchSize)) {
      report.checked++;
      if (await expireBulk(deps, scope, row)) report.expiredBulks.push(row.id);
      options.onProgress?.(report.checked);
    }
  }
  return report;
}

async function expireOne(deps: RetentionDeps, scope: Scope, row: { id: string; user_id: string; expires_at: Date | null }): Promise<boolean> {
  // Every attempt's key lives under the export's prefix; leftovers of a cut-off attempt go too.
  const deleted = await deleteObjectsUnder(deps.s3, deps.bucket, exportObjectPrefix({ ...scope, exportId: row.id }));
  return deps.db.transaction().execute(async (tx) => {
    const moved = await expireExport(tx, scope, row.id);
    // A row that moved meanwhile (it cannot: nothing else leaves `completed`) is not audited.
    if (moved) {
      await recordAudit(tx, {
        ...scope,
        adminId: null,
        action: 'export.expired',
        exportId: row.id,
        details: { userId: row.user_id, expiresAt: row.expires_at?.toISOString() ?? null, objectsDeleted: deleted },
      });
    }
    return moved;
  });
}

/** A bulk export's ZIP, object first and row second, as for single exports. */
async function expireBulk(deps: RetentionDeps, scope: Scope, row: { id: string; expires_at: Date | null }): Promise<boolean> {
  const deleted = await deleteObjectsUnder(deps.s3, deps.bucket, bulkObjectPrefix({ ...scope, bulkExportId: row.id }));
  return deps.db.transaction().execute(async (tx) => {
    const moved = await expireBulkExport(tx, scope, row.id);
    if (moved) {
      await recordAudit(tx, {
        ...scope,
        adminId: null,
        action: 'bulk.expired',
        details: { bulkExportId: row.id, expiresAt: row.expires_at?.toISOString() ?? null, objectsDeleted: deleted },
      });
    }
    return moved;
  });
}
